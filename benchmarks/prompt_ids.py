"""Prompts as token ids: one shared prefix for every example, then a per-example suffix.

The text is calculator.prompts' (the same prompt the cost model counts); this module adds what
only a local model needs: its chat template, tokenization, and the split at the input text
that lets scoring compute the prefix's keys and values once (the instruction, the few-shot
examples, the chat header) instead of per example. The ids are the concatenation of the two
tokenizations, and every path (fast scoring, the baseline, training) uses the same ids, so
their scores are comparable. A prompt whose examples are each input's own (`PerInputBuilder`: a
search's nearest neighbours) shares only what precedes them; each suffix holds its input's examples.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from benchmarks.tasks import Example, TaskData
from calculator.prompts import (
    DEFAULT_PERSONA,
    EXAMPLES,
    TEXT,
    TEXT_PERSONA,
    Frame,
    Template,
    examples_text,
    render,
)
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
    def frame(self) -> Frame:
        task = self.task
        return Frame(instruction=task.instruction, labels=tuple(task.verbalizers), input_name=task.input_name,
                     answer_name=task.answer_name, persona=DEFAULT_PERSONA if task.labels else TEXT_PERSONA)

    def pairs(self, shots: list[Example]) -> list[tuple[str, str]]:
        """Examples as the (text, answer) pairs a prompt shows."""
        return [(s.text, self.task.answer(s)) for s in shots]

    @cached_property
    def template(self) -> Template:
        return render(self.kind, self.frame, self.pairs(self.shots), self.variant)

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

    def lead(self, text: str) -> str:
        """What stands between the shared prefix and the input `text`: nothing, here."""
        return ""

    def _lead_ids(self, texts: list[str]) -> list[list[int]]:
        return [[] for _ in texts]

    def suffix_ids(self, texts: list[str]) -> list[list[int]]:
        """Tokens after the shared prefix (any lead, the text, the tail); long texts are cut so each prompt
        fits `max_len`."""
        fixed = len(self.prefix_ids) + len(self._tail_ids)
        encoded = self.tokenizer(texts, add_special_tokens=False).input_ids
        return [lead + ids[:max(self.max_len - fixed - len(lead), 8)] + self._tail_ids
                for lead, ids in zip(self._lead_ids(texts), encoded, strict=True)]

    def answer_ids(self, answer: str) -> list[int]:
        """Token ids of an answer as it follows the prompt (no space after a chat turn or a prefill)."""
        lead = "" if self.chat or self.template.prefill else " "
        return self.tokenizer(lead + answer, add_special_tokens=False).input_ids

    @cached_property
    def choice_ids(self) -> list[list[int]]:
        """Token ids of each label's verbalisation as it follows the prompt."""
        return [self.answer_ids(word) for word in self.task.verbalizers]

    def text(self, text: str) -> str:
        """The whole prompt of `text` ("{input}": the prompt as a reader is shown it)."""
        prefix, tail = self.parts
        return prefix + self.lead(text) + text + tail

    def chat_turn(self, text: str) -> str:
        """The prompt as an endpoint is sent it: the chat user turn, no local chat template."""
        return self.template.chat_body.replace(TEXT, text)


@dataclass(kw_only=True)
class PerInputBuilder(PromptBuilder):
    """A prompt whose examples are each input's own: the shared prefix is what precedes them (the chat
    header, the instruction), each suffix that input's examples, the input's name, the input and the tail.
    `per_input` maps each input text to its examples; the pattern "{input}" shows `placeholder` instead."""

    per_input: dict[str, list[Example]]
    placeholder: str

    @cached_property
    def template(self) -> Template:
        return render(self.kind, self.frame, variant=self.variant, per_input=True)

    @cached_property
    def _split(self) -> tuple[str, str, str]:
        """(the shared prefix, what follows the examples up to the input, the tail)."""
        prefix, tail = self.render().split(TEXT)
        shared, query = prefix.split(EXAMPLES)
        return shared, query, tail

    @cached_property
    def parts(self) -> tuple[str, str]:
        shared, _, tail = self._split
        return shared, tail

    def examples(self, text: str) -> str:
        """`text`'s own examples as the prompt shows them."""
        if text == "{input}":
            return f"{self.placeholder}\n\n"
        return examples_text(self.frame, self.pairs(self.per_input[text]), self.variant)

    def lead(self, text: str) -> str:
        return self.examples(text) + self._split[1]

    def _lead_ids(self, texts: list[str]) -> list[list[int]]:
        return self.tokenizer([self.lead(t) for t in texts], add_special_tokens=False).input_ids

    def chat_turn(self, text: str) -> str:
        return super().chat_turn(text).replace(EXAMPLES, self.examples(text))
