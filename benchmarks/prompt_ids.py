"""Prompts as token ids: one shared prefix for every example, then a per-example suffix.

The text is calculator.prompts' (the same prompt the cost model counts); this module adds what
only a local model needs: its chat template, tokenization, and the split at the input text
that lets scoring compute the prefix's keys and values once (the instruction, the few-shot
examples, the chat header) instead of per example. The ids are the concatenation of the two
tokenizations, and every path (fast scoring, the baseline, training) uses the same ids, so
their scores are comparable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from benchmarks.tasks import Example, TaskData
from calculator.prompts import DEFAULT_PERSONA, TEXT, TEXT_PERSONA, Frame, Template, render
from core.approaches import PromptKind


@dataclass
class PromptBuilder:
    """Renders one prompt kind of a task for one tokenizer; `variant` picks a paraphrase."""

    task: TaskData
    tokenizer: object
    use_chat: bool
    kind: PromptKind = "zero_shot"
    shots: list[Example] = field(default_factory=list)
    variant: int = 0
    max_len: int = 512

    @property
    def chat(self) -> bool:
        """Wrapped in the chat template: a tuned model is served the bare input and cue it learned."""
        return self.use_chat and self.kind != "tuned"

    @cached_property
    def template(self) -> Template:
        task = self.task
        frame = Frame(instruction=task.instruction, labels=tuple(task.verbalizers),
                      input_name=task.input_name, answer_name=task.answer_name,
                      persona=DEFAULT_PERSONA if task.labels else TEXT_PERSONA)
        shots = [(s.text, task.answer(s)) for s in self.shots]
        return render(self.kind, frame, shots, self.variant)

    def render(self) -> str:
        """The whole prompt with a placeholder where the input text goes."""
        t = self.template
        if not self.chat:
            return t.body + (f" {t.prefill}" if t.prefill else "")
        turn = self.tokenizer.apply_chat_template(
            [{"role": "user", "content": t.chat_body}], tokenize=False, add_generation_prompt=True
        )
        return turn + t.prefill

    @property
    def answer_cue(self) -> str:
        return self.template.answer_cue

    @cached_property
    def parts(self) -> tuple[str, str]:
        prefix, tail = self.render().split(TEXT)
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

    def answer_ids(self, answer: str) -> list[int]:
        """Token ids of an answer as it follows the prompt (no space after a chat turn or a prefill)."""
        lead = "" if self.chat or self.template.prefill else " "
        return self.tokenizer(lead + answer, add_special_tokens=False).input_ids

    @cached_property
    def choice_ids(self) -> list[list[int]]:
        """Token ids of each label's verbalisation as it follows the prompt."""
        return [self.answer_ids(word) for word in self.task.verbalizers]

    def text(self, text: str) -> str:
        prefix, tail = self.parts
        return prefix + text + tail
