"""The result row of an approach and its per-example predictions, with quality from the task kind."""

from __future__ import annotations

from dataclasses import dataclass, field

from benchmarks.evaluation import Evaluation
from benchmarks.kinds import TaskKind
from benchmarks.metrics import latency_percentiles
from benchmarks.models import LoadedModel
from calculator.tokens import TokenCounter, counter_for
from core.result import AnswerExample, ApproachResult, Environment

# tiktoken counts are in this API model's encoding (o200k_base): what a hosted prompt would be billed in
TIKTOKEN_REFERENCE_MODEL = "gpt-4o"
EXTREMES = 2  # best and worst answers kept per text row


def extremes(predictions: list[dict], texts: list[str], approach: str, backend: str,
             n: int = EXTREMES) -> list[AnswerExample]:
    """One arm's n best then n worst answers by score (ties: test order), each once."""
    mine = [p for p in predictions if p["approach"] == approach and p.get("backend", "local") == backend]
    ranked = sorted(mine, key=lambda p: (-p["score"], p["index"]))
    picked = list({p["index"]: p for p in ranked[:n] + ranked[::-1][:n]}.values())
    return [AnswerExample(index=p["index"], text=texts[p["index"]], reference=p["reference"],
                          answer=p["prediction"], score=p["score"]) for p in picked]


@dataclass
class Rows:
    loaded: LoadedModel | None
    environment: Environment
    kind: TaskKind
    counter: TokenCounter = field(default_factory=lambda: counter_for(TIKTOKEN_REFERENCE_MODEL))
    predictions: list[dict] = field(default_factory=list)  # predictions.csv's rows, every approach's

    def add_predictions(self, approach: str, indices, targets, answers, outputs: list[str], **columns) -> None:
        """One row per example: its index in the test split, the kind's columns, the raw output."""
        for i, target, answer, output in zip(indices, targets, answers, outputs, strict=True):
            self.predictions.append({"approach": approach, **columns, "index": int(i),
                                     **self.kind.prediction(target, answer), "output": output})

    def result(self, name: str, ev: Evaluation, *, config: dict, labeled: int, **extra) -> ApproachResult:
        """The contract row for a local approach, and its per-example predictions."""
        n = len(ev.targets)
        self.add_predictions(name, range(n), ev.targets, ev.answers, ev.output_texts)
        p50, p95 = latency_percentiles(ev.latency_s)
        flops = 2 * self.loaded.info.flop_parameters * ev.computed_tokens
        peak = self.environment.mfu_peak
        return ApproachResult(
            approach=name, config=config, labeled_examples=labeled, n_test=n,
            **self.kind.quality(ev.targets, ev.answers), unparseable=ev.unparseable,
            prompt_tokens_model=ev.prompt_tokens / n, computed_tokens_model=ev.computed_tokens / n,
            prompt_tokens_tiktoken=self.counter.mean(ev.prompt_texts),
            output_tokens_model=ev.output_tokens_model,
            output_tokens_tiktoken=self.counter.mean(ev.output_texts),
            tiktoken_encoding=self.counter.encoding_name if self.counter.exact else self.counter.source,
            latency_ms_p50=p50, latency_ms_p95=p95, latency_basis="one_request", batch_size=ev.batch_size,
            throughput_requests_per_second=n / ev.seconds, eval_tokens_per_second=ev.prompt_tokens / ev.seconds,
            output_tokens_per_second=ev.output_tokens_model * n / ev.seconds if self.kind.name != "classification"
            else None,
            eval_mfu=flops / ev.seconds / peak if peak else None,
            eval_rank_tokens_per_second=ev.rank_tokens_per_second, **extra,
        )
