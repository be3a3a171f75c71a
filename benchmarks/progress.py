"""An approach's progress: sub-stage counts placed inside the share of its bar being filled."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from benchmarks.events import ProgressEvent


@dataclass
class Progress:
    """Turns "done of total" of a sub-stage into `ProgressEvent`s for the run's bar (runner.py weighs them)."""

    emit: Callable[[ProgressEvent], None]
    approach: str | None = None  # the approach running (set by the runner), named in every event
    part: tuple[float, float] = (0.0, 1.0)  # the share of the approach's progress now being filled

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
