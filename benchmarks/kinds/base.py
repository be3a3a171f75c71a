"""What every task kind provides (`TaskKind`) and what its `answer` returns (`Answers`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from benchmarks.prompt_ids import PromptBuilder
from benchmarks.tasks import Example


@dataclass
class Answers:
    """The model's answers to a split, as a kind obtained them, and what that cost."""

    answers: np.ndarray  # one parsed answer per example: a label index (-1 unparseable), or the answer's text
    output_texts: list[str]
    output_tokens: float  # mean answer length in the model's tokens
    seconds: float
    prompt_tokens: int  # prefix + input per example, summed
    computed_tokens: int  # forward-pass tokens the model really ran (shared prefix once)
    batch_size: int
    oom_splits: int = 0
    unparseable: int = 0  # answers that could not be read (an extraction answer with no JSON object)
    rank_tokens_per_second: list[float] = field(default_factory=list)


class TaskKind(Protocol):
    name: str
    metric: str  # the primary metric's name: accuracy, chrf, field_f1 (core/result.py Quality.metric)
    prediction_fields: tuple[str, ...]  # the columns `prediction` fills in predictions.csv

    def targets(self, examples: list[Example]) -> np.ndarray:
        """Each example's reference answer, in the form `answers` are compared with."""

    def target_ids(self, builder: PromptBuilder, example: Example) -> list[int]:
        """The tokens a tuned model learns to write after the prompt (training's target)."""

    def answer(self, model, builder: PromptBuilder, suffixes: list[list[int]], *, pad_id: int, soft_prompt,
               batching: dict[str, int], on_progress: Callable[[int, int], None]) -> Answers:
        """Every example's answer from `model` (all ranks get all of them under several ranks)."""

    def one_request(self, model, builder: PromptBuilder, suffix: list[int], *, pad_id: int, soft_prompt) -> Any:
        """Answer one prompt alone: what a single request's latency is timed on."""

    def parse(self, text: str, cue: str) -> Any:
        """An answer read back from generated text (chain-of-thought, endpoint replies)."""

    def with_answer(self, example: Example, answer: Any) -> Example | None:
        """`example` with a parsed `answer` as its target (a teacher's label, for a tuned model to learn);
        None when the answer cannot be read."""

    def scores(self, targets: np.ndarray, answers: np.ndarray) -> np.ndarray:
        """Each example's score in [0, 1] on the kind's primary metric."""

    def quality(self, targets: np.ndarray, answers: np.ndarray) -> dict[str, Any]:
        """The result row's quality fields (the primary metric with its 95% interval, and the rest)."""

    def prediction(self, target: Any, answer: Any) -> dict[str, Any]:
        """One example's columns of predictions.csv besides its index, text and output."""
