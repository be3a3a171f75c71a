"""Prompts as token ids: one shared prefix for every example, then a per-example suffix.

Splitting the rendered prompt at the input text lets scoring compute the prefix's keys and
values once (the instruction, the few-shot examples, the chat header) instead of per example.
The ids are the concatenation of the two tokenizations, and every path (fast scoring, the
baseline, training) uses the same ids, so their scores are comparable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from benchmarks.tasks import Example, TaskData

_TEXT = "\x00TEXT\x00"

# Paraphrases for the consistency check: (instruction prefix, answer cue).
PARAPHRASES: tuple[tuple[str, str], ...] = (
    ("{instruction}", "{answer}"),
    ("Read the {input_lower} below. {instruction}", "{answer}"),
    ("Task: {instruction} Reply with a single word.", "Answer"),
)


@dataclass
class PromptBuilder:
    """Renders a task's prompts for one tokenizer; `variant` picks a paraphrase."""

    task: TaskData
    tokenizer: object
    use_chat: bool
    shots: list[Example] = field(default_factory=list)
    variant: int = 0
    reasoning: bool = False
    max_len: int = 512

    def _instruction(self) -> tuple[str, str]:
        instruction, answer = PARAPHRASES[self.variant % len(PARAPHRASES)]
        fill = {"instruction": self.task.instruction, "answer": self.task.answer_name,
                "input_lower": self.task.input_name.lower()}
        return instruction.format(**fill), answer.format(**fill)

    def _shot(self, example: Example, answer: str) -> str:
        return f"{self.task.input_name}: {example.text}\n{answer}: {self.task.verbalizers[example.label]}\n\n"

    def render(self) -> str:
        """The whole prompt with a placeholder where the input text goes."""
        instruction, answer = self._instruction()
        shots = "".join(self._shot(s, answer) for s in self.shots)
        if self.reasoning:
            tail = (f"{self.task.input_name}: {_TEXT}\n\nThink step by step in one or two sentences, "
                    f"then finish with '{answer}: ' and one of: {', '.join(self.task.verbalizers)}.")
        else:
            tail = f"{self.task.input_name}: {_TEXT}\n{answer}:"
        body = f"{instruction}\n\n{shots}{tail}"
        if not self.use_chat:
            return body
        if not self.reasoning:
            body = body.removesuffix(f"\n{answer}:")
            body += f"\nAnswer with {answer.lower()} only."
        return self.tokenizer.apply_chat_template(
            [{"role": "user", "content": body}], tokenize=False, add_generation_prompt=True
        )

    @property
    def answer_cue(self) -> str:
        return self._instruction()[1]

    @cached_property
    def parts(self) -> tuple[str, str]:
        prefix, tail = self.render().split(_TEXT)
        return prefix, tail

    @cached_property
    def prefix_ids(self) -> list[int]:
        return self.tokenizer(self.parts[0], add_special_tokens=True).input_ids

    @cached_property
    def _tail_ids(self) -> list[int]:
        return self.tokenizer(self.parts[1], add_special_tokens=False).input_ids

    def suffix_ids(self, texts: list[str]) -> list[list[int]]:
        """Tokens after the shared prefix; long texts are cut so each prompt fits `max_len`."""
        room = max(self.max_len - len(self.prefix_ids) - len(self._tail_ids), 8)
        encoded = self.tokenizer(texts, add_special_tokens=False).input_ids
        return [ids[:room] + self._tail_ids for ids in encoded]

    @cached_property
    def choice_ids(self) -> list[list[int]]:
        """Token ids of each label's verbalisation as it follows the prompt."""
        lead = "" if self.use_chat else " "
        return [self.tokenizer(lead + word, add_special_tokens=False).input_ids for word in self.task.verbalizers]

    def text(self, text: str) -> str:
        prefix, tail = self.parts
        return prefix + text + tail
