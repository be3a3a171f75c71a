"""The prompt text of every approach, in one place: the cost model counts it, the Tokens page
shows it and the benchmarks tokenize it (benchmarks/prompt_ids.py), so the two halves price and
measure the same prompt.

A prompt is rendered from a `Frame` (the task's instruction, labels and the names of its input
and answer) for one prompt kind of the approach spec, with a placeholder where the input goes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from core.approaches import PromptKind, spec

if TYPE_CHECKING:
    from calculator.scenario import Task

TEXT = "\x00TEXT\x00"  # where the input text goes
EXAMPLES = "\x00EXAMPLES\x00"  # where each request's own examples go (a search's nearest neighbours)
DEFAULT_PERSONA = (
    "You are a senior analyst who has labeled thousands of texts like this one. You read "
    "carefully and answer with exactly one of the given labels."
)
TEXT_PERSONA = (  # a generation or extraction task: no labels to pick from
    "You are a senior specialist who has done this task thousands of times. You read carefully and "
    "write only the answer asked for."
)
JSON_KEY = "label"
ANSWER_PLACEHOLDER = "[a typical answer]"  # a text task given only an answer length: where each shot's answer goes
# Paraphrases for the consistency check: (instruction, answer cue).
PARAPHRASES: tuple[tuple[str, str], ...] = (
    ("{instruction}", "{answer}"),
    ("Read the {input_lower} below. {instruction}", "{answer}"),
    ("Task: {instruction} Reply with a single word.", "Answer"),
)


@dataclass(frozen=True)
class Frame:
    """What every prompt of one task is made of."""

    instruction: str
    labels: tuple[str, ...]  # the words the model answers with; none when the answer is text or JSON
    input_name: str = "Input"
    answer_name: str = "Label"
    persona: str = DEFAULT_PERSONA


@dataclass(frozen=True)
class Template:
    """One approach's prompt for one task, with TEXT where the input goes."""

    body: str
    answer_cue: str  # the word before the answer ("Label"), parsed back from generated text
    last_line: str  # the cue line a chat prompt drops (the chat turn itself asks for the answer)
    chat_hint: str  # what a chat prompt says instead of the cue line
    prefill: str = ""  # text the answer starts with (output_format: the JSON up to the label)

    @property
    def prefix(self) -> str:
        """The part before the input (before the examples when each request has its own): the same for
        every request, so cacheable by a provider."""
        return self.body.split(TEXT)[0].split(EXAMPLES)[0]

    @property
    def tail(self) -> str:
        return self.body.split(TEXT)[1]

    def text(self, text: str) -> str:
        return self.body.replace(TEXT, text)

    @property
    def chat_body(self) -> str:
        """The body as a chat user turn: the cue line dropped, the chat hint said instead."""
        return self.body.removesuffix(self.last_line) + (f"\n{self.chat_hint}" if self.chat_hint else "")


@dataclass(frozen=True)
class Prompt:
    prefix: str  # the same for every request: cacheable by the provider
    input_part: str

    @property
    def text(self) -> str:
        return self.prefix + self.input_part


def _shot(frame: Frame, text: str, label: str, answer: str) -> str:
    return f"{frame.input_name}: {text}\n{answer}: {label}\n\n"


def answer_text(kind: PromptKind, label: str) -> str:
    """What the model writes back for `label`: the label, or the JSON object around it."""
    return f'{{"{JSON_KEY}": "{label}"}}' if kind == "output_format" else label


def _worded(frame: Frame, variant: int) -> tuple[str, str]:
    """(the instruction, the answer cue) of paraphrase `variant`."""
    pattern, cue = PARAPHRASES[variant % len(PARAPHRASES)]
    fill = {"instruction": frame.instruction, "answer": frame.answer_name,
            "input_lower": frame.input_name.lower()}
    return pattern.format(**fill), cue.format(**fill)


def examples_text(frame: Frame, shots: Sequence[tuple[str, str]], variant: int = 0) -> str:
    """(text, label) pairs as a prompt of paraphrase `variant` shows them before the input."""
    answer = _worded(frame, variant)[1]
    return "".join(_shot(frame, text, label, answer) for text, label in shots)


def render(kind: PromptKind, frame: Frame, shots: Sequence[tuple[str, str]] = (), variant: int = 0, *,
           per_input: bool = False) -> Template:
    """The prompt of `kind`; `shots` are (text, label) pairs shown before the input, or with `per_input`
    EXAMPLES where each request's own go (`examples_text`)."""
    instruction, answer = _worded(frame, variant)
    query = f"{frame.input_name}: {TEXT}"
    labels = ", ".join(frame.labels)
    hint = f"Answer with {answer.lower()} only." if frame.labels else f"Answer with the {answer.lower()} only."
    if kind == "tuned":  # a tuned model learned the task: the input and the cue, nothing else
        return Template(f"{query}\n{answer}:", answer, f"\n{answer}:", hint)
    if kind == "chain_of_thought":
        return Template(f"{instruction}\n\n{query}\n\nThink step by step in one or two sentences, then "
                        f"finish with '{answer}: ' and one of: {labels}.", answer, "", "")
    examples = EXAMPLES if per_input else examples_text(frame, shots, variant)
    if kind == "output_format" and not frame.labels:  # extraction: the JSON object is the answer
        return Template(f"{instruction}\nAnswer with one JSON object only, nothing before or after it.\n\n"
                        f"{examples}{query}\nJSON:", answer, "\nJSON:", "Answer with the JSON object only.",
                        prefill="{")
    if kind == "output_format":
        shape = f'{{"{JSON_KEY}": "<{answer.lower()}>"}}'
        return Template(f"{instruction}\nAnswer with JSON only, exactly {shape} with one of: {labels}."
                        f"\n\n{examples}{query}\nJSON:", answer, "\nJSON:", "Answer with the JSON only.",
                        prefill=f'{{"{JSON_KEY}": "')
    persona = f"{frame.persona}\n\n" if kind == "persona" else ""
    return Template(f"{persona}{instruction}\n\n{examples}{query}\n{answer}:", answer, f"\n{answer}:", hint)


def scenario_frame(task: Task) -> Frame:
    """The frame of a scenario's task: its instructions, with the label set (classification) or the
    fields of the JSON answer (extraction) on a line of their own."""
    if task.kind == "classification":
        return Frame(instruction=f"{task.instructions}\nLabels: {', '.join(task.labels)}",
                     labels=tuple(task.labels), persona=task.persona)
    if task.kind == "extraction":
        return Frame(instruction=f"{task.instructions}\nFields: {', '.join(task.fields)}", labels=(),
                     answer_name="JSON", persona=task.persona)
    return Frame(instruction=task.instructions, labels=(), answer_name="Answer", persona=task.persona)


def few_shot_examples(task: Task) -> list[tuple[str, str]]:
    """k (input, answer) examples: the scenario's own, else sample inputs paired in turn with its labels
    (classification) or its sample outputs."""
    if task.few_shot_examples:
        pool = [(ex.text, ex.answer) for ex in task.few_shot_examples]
    else:
        answers = task.labels if task.kind == "classification" else task.sample_outputs or [ANSWER_PLACEHOLDER]
        pool = [(task.sample_inputs[i % len(task.sample_inputs)], answers[i % len(answers)])
                for i in range(task.few_shot_k)]
    return [pool[i % len(pool)] for i in range(task.few_shot_k)]


def build_prompt(approach: str, task: Task, text: str) -> Prompt:
    """The exact prompt `approach` sends an API model for one input of the scenario's task."""
    kind = spec(approach).prompt_kind
    shots = few_shot_examples(task) if kind == "few_shot" else ()
    template = render(kind, scenario_frame(task), shots)
    return Prompt(template.prefix, text + template.tail)
