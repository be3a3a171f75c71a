"""Classification: the answer is one of the task's labels, obtained by scoring every label's
log-likelihood after the prompt (the harness's `multiple_choice`) and scored by accuracy."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

from benchmarks.answers import parse_label
from benchmarks.collectives import score_sharded
from benchmarks.kinds.base import Answers
from benchmarks.metrics import quality
from benchmarks.scoring import score_choices
from core.result import Quality

if TYPE_CHECKING:
    from benchmarks.prompt_ids import PromptBuilder
    from benchmarks.tasks import Example, TaskData


class Classification:
    name = "classification"
    metric = "accuracy"
    prediction_fields = ("label", "prediction", "correct")

    def __init__(self, task: TaskData):
        self.task = task

    def targets(self, examples: list[Example]) -> np.ndarray:
        return np.array([e.label for e in examples])

    def target_ids(self, builder: PromptBuilder, example: Example) -> list[int]:
        return builder.choice_ids[example.label]

    def answer(self, model, builder: PromptBuilder, suffixes: list[list[int]], *, pad_id: int, soft_prompt,
               batching: dict[str, int], on_progress: Callable[[int, int], None]) -> Answers:
        """The most likely label of each example, every label scored (`score_sharded` over ranks)."""
        choices = builder.choice_ids
        scores = score_sharded(
            lambda some, on_batch: score_choices(model, builder.prefix_ids, some, choices, pad_id,
                                                 soft_prompt=soft_prompt, on_batch=on_batch, **batching),
            suffixes, on_progress)
        pred = scores.predictions
        return Answers(
            answers=pred, output_texts=[self.task.verbalizers[p] for p in pred],
            output_tokens=float(np.mean([len(choices[p]) for p in pred])), seconds=scores.seconds,
            prompt_tokens=scores.prompt_tokens, computed_tokens=scores.computed_tokens,
            batch_size=scores.max_batch, oom_splits=scores.oom_splits,
            rank_tokens_per_second=scores.rank_tokens_per_second,
        )

    def one_request(self, model, builder: PromptBuilder, suffix: list[int], *, pad_id: int, soft_prompt) -> Any:
        return score_choices(model, builder.prefix_ids, [suffix], builder.choice_ids, pad_id, soft_prompt=soft_prompt)

    def parse(self, text: str, cue: str) -> int:
        return parse_label(text, self.task.verbalizers, cue)

    def with_answer(self, example: Example, answer: int) -> Example | None:
        return replace(example, label=int(answer)) if answer >= 0 else None

    def scores(self, targets: np.ndarray, answers: np.ndarray) -> np.ndarray:
        return (np.asarray(targets) == np.asarray(answers)).astype(float)

    def quality(self, targets: np.ndarray, answers: np.ndarray) -> dict[str, Any]:
        """Accuracy with its Wilson interval, macro-F1 and per-class accuracy, and the row's Quality of them."""
        found = quality(targets, answers, self.task.labels)
        return {**found, "quality": Quality.of_accuracy(found["accuracy"], found["accuracy_ci"], found["macro_f1"])}

    def prediction(self, target: int, answer: int) -> dict[str, Any]:
        labels = self.task.labels
        return {"label": labels[target], "prediction": labels[answer] if answer >= 0 else "",
                "correct": bool(target == answer)}
