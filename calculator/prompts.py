"""The exact prompt each approach sends: the Tokens page shows it, the cost model counts it."""

from __future__ import annotations

from dataclasses import dataclass

from calculator.scenario import Task

COT_INSTRUCTION = (
    "Think step by step about the input, then give the final answer on the last line "
    "as 'Label: <label>'."
)


@dataclass(frozen=True)
class Prompt:
    prefix: str  # the same for every request: cacheable by the provider
    input_part: str

    @property
    def text(self) -> str:
        return self.prefix + self.input_part


def _header(task: Task) -> str:
    return f"{task.instructions}\nLabels: {', '.join(task.labels)}\n\n"


def _shot(text: str, label: str) -> str:
    return f"Input: {text}\nLabel: {label}\n\n"


def few_shot_examples(task: Task) -> list[tuple[str, str]]:
    """k examples: the scenario's own, else sample inputs paired with labels in turn."""
    if task.few_shot_examples:
        pool = [(ex.text, ex.label) for ex in task.few_shot_examples]
    else:
        pool = [
            (task.sample_inputs[i % len(task.sample_inputs)], task.labels[i % len(task.labels)])
            for i in range(task.few_shot_k)
        ]
    return [pool[i % len(pool)] for i in range(task.few_shot_k)]


def build_prompt(approach: str, task: Task, text: str) -> Prompt:
    """Prompt for one input. Tuned and pretrained models learned the task: input only."""
    query = f"Input: {text}\nLabel:"
    if approach == "zero_shot":
        return Prompt(_header(task), query)
    if approach == "few_shot":
        shots = "".join(_shot(t, label) for t, label in few_shot_examples(task))
        return Prompt(_header(task) + shots, query)
    if approach == "chain_of_thought":
        return Prompt(_header(task) + COT_INSTRUCTION + "\n\n", f"Input: {text}\nReasoning:")
    return Prompt("", query)
