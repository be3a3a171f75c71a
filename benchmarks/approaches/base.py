"""What every approach shares: the run context, scoring a prompt on the test split, the result row."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from benchmarks.collectives import score_sharded
from benchmarks.config import BenchConfig
from benchmarks.events import ProgressEvent
from benchmarks.latency import samples_for, spread_by_length, time_requests
from benchmarks.metrics import latency_percentiles, quality
from benchmarks.models import LoadedModel
from benchmarks.prompt_ids import PromptBuilder
from benchmarks.scoring import Scores, score_choices, trie_nodes
from benchmarks.tasks import Example, TaskData, balanced_shots
from benchmarks.training import TrainItem, TrainSettings, epochs_for, train
from calculator.tokens import TokenCounter, counter_for
from core.approaches import spec
from core.result import ApproachResult, Consistency, Environment, TrainingStats

# tiktoken counts are in this API model's encoding (o200k_base): what a hosted prompt would be billed in
TIKTOKEN_REFERENCE_MODEL = "gpt-4o"
MIN_EXTRA_EXAMPLES = 60  # an extra pass (template choice, a paraphrase) scores at least this many


@dataclass
class Evaluation:
    """Predictions on a split and how fast they came; -1 marks an unparseable answer."""

    truth: np.ndarray
    pred: np.ndarray
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


@dataclass
class Context:
    """One run's shared state; approaches read it and add prediction rows."""

    config: BenchConfig
    loaded: LoadedModel
    task: TaskData
    environment: Environment
    emit: Callable[[ProgressEvent], None]
    counter: TokenCounter = field(default_factory=lambda: counter_for(TIKTOKEN_REFERENCE_MODEL))
    predictions: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    part: tuple[float, float] = (0.0, 1.0)  # the share of the approach's progress now being filled
    approach: str | None = None  # the approach running (set by the runner), named in every event

    @property
    def model(self):
        return self.loaded.model

    @property
    def bf16(self) -> bool:
        """The run computes in bfloat16 (CUDA, or a CPU whose bf16 products measured faster, unless float32 was asked for)."""
        return self.loaded.info.dtype == "bfloat16"

    @property
    def pad_id(self) -> int:
        return self.loaded.tokenizer.pad_token_id

    def step(self, substage: str, done: int, total: int, *, loss: float | None = None) -> None:
        """A sub-stage's count ("done of total"), placed inside the current part of the approach.

        A `substage` equal to the approach's name is the approach's main pass: it has no sub-stage.
        """
        low, high = self.part
        sub = None if substage == self.approach else substage
        words = ": ".join(w for w in (self.approach, sub) if w)
        self.emit(ProgressEvent(
            stage=self.approach or substage, approach=self.approach, substage=sub, done=done, total=total,
            approach_progress=min(low + (high - low) * done / max(total, 1), 1.0), loss=loss,
            message=f"{words}: {done}/{total}" + ("" if loss is None else f", loss {loss:.4f}"),
        ))

    @contextmanager
    def part_of_approach(self, low: float, high: float) -> Iterator[None]:
        """Steps inside fill the [low, high] share of the current part of the approach's progress
        (parts nest: a consistency pass is a share of the consistency part).

        For approaches that repeat their work (the learning curve trains once per size, a prompt
        is scored on validation, test and paraphrases): without it every pass would fill the
        approach's bar from 0 again.
        """
        outer = self.part
        span = outer[1] - outer[0]
        self.part = (outer[0] + span * low, outer[0] + span * high)
        try:
            yield
        finally:
            self.part = outer

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

    def builder(self, **kwargs) -> PromptBuilder:
        if "use_chat" not in kwargs:
            kwargs["use_chat"] = self.use_chat
        return PromptBuilder(self.task, self.loaded.tokenizer, max_len=self.config.max_seq_len, **kwargs)

    @cached_property
    def use_chat(self) -> bool:
        """Chat template or plain prompt: 'auto' keeps whichever scores better on validation."""
        has_chat = bool(getattr(self.loaded.tokenizer, "chat_template", None))
        if self.config.chat_template != "auto" or not has_chat:
            return has_chat and self.config.chat_template != "off"
        examples = self.extra_examples(self.task.validation or self.task.train[:100])
        acc = {}
        for part, chat in enumerate((True, False)):
            with self.part_of_approach(part / 2, (part + 1) / 2):
                ev = self.evaluate(self.builder(use_chat=chat), examples, stage="choosing the prompt template")
            acc[chat] = float(np.mean(ev.truth == ev.pred))
        choice = acc[True] >= acc[False]
        self.notes.append(
            f"prompt template: {'chat' if choice else 'plain'} (validation accuracy on {len(examples)} examples: "
            f"chat {acc[True]:.3f}, plain {acc[False]:.3f})"
        )
        return choice

    def evaluate(
        self, builder: PromptBuilder, examples: list[Example], *, model=None, soft_prompt=None,
        stage: str = "scoring", latency: bool = False,
    ) -> Evaluation:
        """Score every label of every example with the fast scorer; predict the most likely.

        Under several ranks each scores its shard and all get every example (`score_sharded`).
        With `latency`, also time single requests (`benchmarks.latency`) for the result row.
        """
        model = model or self.model
        suffixes = builder.suffix_ids([e.text for e in examples])
        choices = builder.choice_ids

        def progress(done: int, total: int) -> None:
            self.step(stage, done, total)

        def score(some: list[list[int]], **kwargs) -> Scores:
            return score_choices(model, builder.prefix_ids, some, choices, self.pad_id, soft_prompt=soft_prompt,
                                 **kwargs)

        scores = score_sharded(
            lambda some, on_batch: score(some, max_batch=self.config.eval_batch_size,
                                         token_budget=self.config.eval_batch_tokens, on_batch=on_batch),
            suffixes, progress)
        latency_s = np.array([])
        if latency:
            device = model.get_input_embeddings().weight.device
            picks = spread_by_length(list(map(len, suffixes)), samples_for(self.config))
            latency_s = time_requests(lambda i: score([suffixes[i]]), picks, device)
        if scores.oom_splits:
            self.notes.append(f"{stage}: out of GPU memory {scores.oom_splits} time(s); batches were halved "
                              f"and retried (largest batch that fit: {scores.max_batch})")
        pred = scores.predictions
        return Evaluation(
            truth=np.array([e.label for e in examples]), pred=pred, latency_s=latency_s,
            seconds=scores.seconds, prompt_tokens=scores.prompt_tokens, computed_tokens=scores.computed_tokens,
            batch_size=scores.max_batch,
            prompt_texts=[builder.text(e.text) for e in examples],
            output_tokens_model=float(np.mean([len(choices[p]) for p in pred])),
            output_texts=[self.task.verbalizers[p] for p in pred],
            rank_tokens_per_second=scores.rank_tokens_per_second,
        )

    def balanced_shots(self, k: int, seed: int) -> list[Example]:
        return balanced_shots(self.task, k, seed)

    def train_items(self, builder: PromptBuilder, examples: list[Example]) -> list[TrainItem]:
        suffixes = builder.suffix_ids([e.text for e in examples])
        return [
            TrainItem(builder.prefix_ids + suffix + builder.choice_ids[e.label], len(builder.choice_ids[e.label]))
            for suffix, e in zip(suffixes, examples, strict=True)
        ]

    def train(self, approach: str, examples: list[Example], params, *, lr: float, builder: PromptBuilder,
              model=None, soft_prompt=None, min_steps: int = 0) -> TrainingStats:
        """Train on `examples` with the fast loop, streaming loss events; the plan's every step unless
        the time guard stops it, which the run's notes then say."""
        cfg = self.config
        epochs = epochs_for(len(examples), cfg.train_batch_size, cfg.train_epochs, min_steps)
        settings = TrainSettings(lr=lr, epochs=epochs, batch_size=cfg.train_batch_size, seed=cfg.seed,
                                 time_guard_s=cfg.train_time_budget_s, bf16=self.bf16)
        substage = f"training on {len(examples)} examples"

        def on_step(step: int, total: int, loss: float) -> None:
            self.step(substage, step, total, loss=loss)

        stats = train(
            model or self.model, self.train_items(builder, examples), params, settings,
            flops_per_token=spec(approach).flops_per_param_token * self.loaded.info.flop_parameters,
            peak_flops=self.environment.mfu_peak, soft_prompt=soft_prompt, on_step=on_step,
        )
        if stats.under_trained:
            self.notes.append(
                f"{approach} stopped after {stats.steps} of {stats.planned_steps} planned steps (time guard "
                f"{cfg.train_time_budget_s:g} s, {len(examples)} training examples): its accuracy is not "
                f"{spec(approach).title}'s quality; measure again")
        return stats

    def consistency(self, main: Evaluation, variants: dict[str, PromptBuilder], **eval_kwargs) -> Consistency:
        """Accuracy under the main prompt and each variant on the test split (`extra_examples` of it
        when labels are many, the main prompt's accuracy then on the same examples); spread = max - min."""
        examples = self.extra_examples(self.task.test)
        n = len(examples)
        accs = [float(np.mean(main.truth[:n] == main.pred[:n]))]
        if n < len(self.task.test):
            why = (f"the {len(self.task.labels)} labels make each pass costly" if n < self.config.extra_pass_size
                   else f"extra_pass_size {self.config.extra_pass_size}")
            self.notes.append(f"{self.approach} consistency: scored on {n} of {len(self.task.test)} test examples ({why})")
        for part, (label, builder) in enumerate(variants.items()):
            with self.part_of_approach(part / len(variants), (part + 1) / len(variants)):
                ev = self.evaluate(builder, examples, stage=f"consistency: {label}", **eval_kwargs)
            accs.append(float(np.mean(ev.truth == ev.pred)))
        return Consistency(variants=["main prompt", *variants], accuracies=accs, spread=max(accs) - min(accs))

    def result(self, name: str, ev: Evaluation, *, config: dict, labeled: int, **extra) -> ApproachResult:
        """The contract row for an approach, and its per-example predictions."""
        for i, (t, p, out) in enumerate(zip(ev.truth, ev.pred, ev.output_texts, strict=True)):
            self.predictions.append({
                "approach": name, "index": i, "label": self.task.labels[t],
                "prediction": self.task.labels[p] if p >= 0 else "", "correct": bool(t == p), "output": out,
            })
        p50, p95 = latency_percentiles(ev.latency_s)
        n = len(ev.truth)
        flops = 2 * self.loaded.info.flop_parameters * ev.computed_tokens
        peak = self.environment.mfu_peak
        return ApproachResult(
            approach=name, config=config, labeled_examples=labeled, n_test=n,
            **quality(ev.truth, ev.pred, self.task.labels), unparseable=ev.unparseable,
            prompt_tokens_model=ev.prompt_tokens / n, computed_tokens_model=ev.computed_tokens / n,
            prompt_tokens_tiktoken=self.counter.mean(ev.prompt_texts),
            output_tokens_model=ev.output_tokens_model,
            output_tokens_tiktoken=self.counter.mean(ev.output_texts),
            tiktoken_encoding=self.counter.encoding_name if self.counter.exact else self.counter.source,
            latency_ms_p50=p50, latency_ms_p95=p95, latency_basis="one_request", batch_size=ev.batch_size,
            throughput_requests_per_second=n / ev.seconds, eval_tokens_per_second=ev.prompt_tokens / ev.seconds,
            eval_mfu=flops / ev.seconds / peak if peak else None,
            eval_rank_tokens_per_second=ev.rank_tokens_per_second, **extra,
        )
