"""Training an approach's parameters on examples whose targets the task kind writes."""

from __future__ import annotations

from dataclasses import dataclass

from benchmarks.config import BenchConfig
from benchmarks.kinds import TaskKind
from benchmarks.models import LoadedModel
from benchmarks.progress import Progress
from benchmarks.prompt_ids import PromptBuilder
from benchmarks.tasks import Example
from benchmarks.training import TrainItem, TrainSettings, epochs_for, train
from core.approaches import spec
from core.result import Environment, TrainingStats


@dataclass
class Trainer:
    config: BenchConfig
    loaded: LoadedModel
    environment: Environment
    kind: TaskKind
    progress: Progress
    notes: list[str]

    def items(self, builder: PromptBuilder, examples: list[Example]) -> list[TrainItem]:
        """Prompt then target per example; the loss is on the target's tokens only."""
        suffixes = builder.suffix_ids([e.text for e in examples])
        items = []
        for suffix, example in zip(suffixes, examples, strict=True):
            target = self.kind.target_ids(builder, example)
            items.append(TrainItem(builder.prefix_ids + suffix + target, len(target)))
        return items

    def train(self, approach: str, examples: list[Example], params, *, lr: float, builder: PromptBuilder,
              model=None, soft_prompt=None, min_steps: int = 0) -> TrainingStats:
        """Train on `examples` with the fast loop, streaming loss events; the plan's every step unless
        the time guard stops it, which the run's notes then say."""
        cfg = self.config
        epochs = epochs_for(len(examples), cfg.train_batch_size, cfg.train_epochs, min_steps)
        settings = TrainSettings(lr=lr, epochs=epochs, batch_size=cfg.train_batch_size, seed=cfg.seed,
                                 time_guard_s=cfg.train_time_budget_s, bf16=self.loaded.info.dtype == "bfloat16")
        substage = f"training on {len(examples)} examples"

        def on_step(step: int, total: int, loss: float) -> None:
            self.progress.step(substage, step, total, loss=loss)

        stats = train(
            model or self.loaded.model, self.items(builder, examples), params, settings,
            flops_per_token=spec(approach).flops_per_param_token * self.loaded.info.flop_parameters,
            peak_flops=self.environment.mfu_peak, soft_prompt=soft_prompt, on_step=on_step,
        )
        if stats.under_trained:
            self.notes.append(
                f"{approach} stopped after {stats.steps} of {stats.planned_steps} planned steps (time guard "
                f"{cfg.train_time_budget_s:g} s, {len(examples)} training examples): its accuracy is not "
                f"{spec(approach).title}'s quality; measure again")
        return stats
