"""The run's prompts: the chat-or-plain template chosen once, PromptBuilders, and how much an extra pass scores."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from benchmarks.config import BenchConfig
from benchmarks.evaluation import Evaluator
from benchmarks.models import LoadedModel
from benchmarks.progress import Progress
from benchmarks.prompt_ids import PromptBuilder
from benchmarks.scoring import trie_nodes
from benchmarks.tasks import Example, TaskData

MIN_EXTRA_EXAMPLES = 60  # an extra pass (template choice, a paraphrase) scores at least this many


@dataclass
class Templates:
    config: BenchConfig
    loaded: LoadedModel
    task: TaskData
    evaluator: Evaluator
    progress: Progress
    notes: list[str]

    def builder(self, cls: type[PromptBuilder] = PromptBuilder, **kwargs) -> PromptBuilder:
        """A builder of the run's tokenizer, template choice and max_seq_len (`cls`: PerInputBuilder too)."""
        if "use_chat" not in kwargs:
            kwargs["use_chat"] = self.use_chat
        return cls(self.task, self.loaded.tokenizer, max_len=self.config.max_seq_len, **kwargs)

    @cached_property
    def use_chat(self) -> bool:
        """Chat template or plain prompt: 'auto' keeps whichever scores better on validation."""
        has_chat = bool(getattr(self.loaded.tokenizer, "chat_template", None))
        if self.config.chat_template != "auto" or not has_chat:
            return has_chat and self.config.chat_template != "off"
        examples = self.extra_examples(self.task.validation or self.task.train[:100])
        score = {}
        for part, chat in enumerate((True, False)):
            with self.progress.part_of_approach(part / 2, (part + 1) / 2):
                ev = self.evaluator.evaluate(self.builder(use_chat=chat), examples, stage="choosing the prompt template")
            score[chat] = ev.mean_score
        choice = score[True] >= score[False]
        self.notes.append(
            f"prompt template: {'chat' if choice else 'plain'} (validation {self.evaluator.kind.metric} on "
            f"{len(examples)} examples: "
            f"chat {score[True]:.3f}, plain {score[False]:.3f})"
        )
        return choice

    def extra_examples(self, examples: list[Example]) -> list[Example]:
        """The examples an extra pass (template choice, a consistency paraphrase) scores.

        All of them (up to the config's `extra_pass_size`) while the labels are cheap; when the label trie outweighs the input (60 intents
        add ~100 label tokens to a 12-token input) as many as would cost what scoring the inputs
        alone would, at least MIN_EXTRA_EXAMPLES: the extra passes then cost about what they cost
        on a binary task, not 8x.
        """
        builder = self.builder(use_chat=False)
        sample = builder.suffix_ids([e.text for e in examples[:100]])
        inputs = float(np.mean([len(s) for s in sample])) if sample else 1.0
        nodes = trie_nodes(builder.choice_ids)
        n = max(MIN_EXTRA_EXAMPLES, int(np.ceil(len(examples) * inputs / (inputs + nodes))))
        return examples[:min(n, self.config.extra_pass_size)]

    def prompt_parts(self, variants: int) -> dict[str, tuple[float, float]]:
        """Shares of a prompting approach's bar: choosing the template (when still to do), the test
        split, and `variants` consistency passes, each in proportion to the examples it scores."""
        pending = "use_chat" not in self.__dict__ and self.config.chat_template == "auto" and bool(
            getattr(self.loaded.tokenizer, "chat_template", None))
        val = self.task.validation or self.task.train[:100]
        weights = {"template": 2 * len(self.extra_examples(val)) if pending else 0, "main": len(self.task.test),
                   "consistency": variants * len(self.extra_examples(self.task.test))}
        edges = np.cumsum([0, *weights.values()]) / sum(weights.values())
        return {name: (float(edges[i]), float(edges[i + 1])) for i, name in enumerate(weights)}
