"""Evaluating a prompt on a split through the run's task kind: the answers, their scores, how fast."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from benchmarks.config import BenchConfig
from benchmarks.kinds import TaskKind
from benchmarks.latency import samples_for, spread_by_length, time_requests
from benchmarks.models import LoadedModel
from benchmarks.progress import Progress
from benchmarks.prompt_ids import PromptBuilder
from benchmarks.tasks import Example, TaskData
from core.result import Consistency


@dataclass
class Evaluation:
    """Answers on a split, their scores (the kind's primary metric per example) and how fast they came."""

    targets: np.ndarray
    answers: np.ndarray  # a label index per example (-1 unparseable), or each answer's text (the text kinds)
    scores: np.ndarray  # per example in [0, 1]
    latency_s: np.ndarray  # one request alone, for a sample of examples (empty unless asked for)
    seconds: float
    prompt_tokens: int  # prefix + input per example, summed: the throughput figure's numerator
    computed_tokens: int  # forward-pass tokens the model really ran (shared prefix once): MFU's
    batch_size: int
    prompt_texts: list[str]
    output_tokens_model: float
    output_texts: list[str]
    unparseable: int = 0
    rank_tokens_per_second: list[float] = field(default_factory=list)  # sharded over ranks: each one's

    @property
    def mean_score(self) -> float:
        return float(np.mean(self.scores))


@dataclass
class Evaluator:
    """Runs evaluation passes: the kind obtains and scores the answers; this adds timing, notes and progress."""

    config: BenchConfig
    loaded: LoadedModel | None
    task: TaskData
    kind: TaskKind
    progress: Progress
    notes: list[str]

    def graded(self, examples: list[Example], answers: np.ndarray, **measured) -> Evaluation:
        """An Evaluation of `answers` the caller obtained itself (generated and parsed), scored by the kind."""
        targets = self.kind.targets(examples)
        return Evaluation(targets=targets, answers=answers, scores=self.kind.scores(targets, answers), **measured)

    def evaluate(
        self, builder: PromptBuilder, examples: list[Example], *, model=None, soft_prompt=None,
        stage: str = "scoring", latency: bool = False,
    ) -> Evaluation:
        """Every example's answer the kind's way (label scoring for classification, generation for the
        text kinds), scored.

        Under several ranks each answers its shard and all get every example. With `latency`, also
        time single requests (`benchmarks.latency`) for the result row.
        """
        model = model or self.loaded.model
        pad_id = self.loaded.tokenizer.pad_token_id
        suffixes = builder.suffix_ids([e.text for e in examples])
        got = self.kind.answer(
            model, builder, suffixes, pad_id=pad_id, soft_prompt=soft_prompt,
            batching={"max_batch": self.config.eval_batch_size, "token_budget": self.config.eval_batch_tokens},
            on_progress=lambda done, total: self.progress.step(stage, done, total))
        latency_s = np.array([])
        if latency:
            device = model.get_input_embeddings().weight.device
            picks = spread_by_length(list(map(len, suffixes)), samples_for(self.config))
            latency_s = time_requests(
                lambda i: self.kind.one_request(model, builder, suffixes[i], pad_id=pad_id, soft_prompt=soft_prompt),
                picks, device)
        if got.oom_splits:
            self.notes.append(f"{stage}: out of GPU memory {got.oom_splits} time(s); batches were halved "
                              f"and retried (largest batch that fit: {got.batch_size})")
        return self.graded(
            examples, got.answers, latency_s=latency_s, seconds=got.seconds, prompt_tokens=got.prompt_tokens,
            computed_tokens=got.computed_tokens, batch_size=got.batch_size,
            prompt_texts=[builder.text(e.text) for e in examples], output_tokens_model=got.output_tokens,
            output_texts=got.output_texts, unparseable=got.unparseable,
            rank_tokens_per_second=got.rank_tokens_per_second,
        )

    def consistency(self, main: Evaluation, variants: dict[str, PromptBuilder], examples: list[Example],
                    **eval_kwargs) -> Consistency:
        """The main prompt's score on the kind's metric and each variant's on `examples` (the first of the
        test split the main evaluation scored; fewer when labels are many: `Templates.extra_examples`);
        spread = max - min."""
        n = len(examples)
        test = len(main.targets)
        scores = [float(np.mean(main.scores[:n]))]
        if n < test:
            why = (f"the {len(self.task.labels)} labels make each pass costly" if n < self.config.extra_pass_size
                   else f"extra_pass_size {self.config.extra_pass_size}")
            self.notes.append(f"{self.progress.approach} consistency: scored on {n} of {test} test examples ({why})")
        for part, (label, builder) in enumerate(variants.items()):
            with self.progress.part_of_approach(part / len(variants), (part + 1) / len(variants)):
                ev = self.evaluate(builder, examples, stage=f"consistency: {label}", **eval_kwargs)
            scores.append(ev.mean_score)
        return Consistency(variants=["main prompt", *variants], metric=self.kind.metric, scores=scores,
                           spread=max(scores) - min(scores))
