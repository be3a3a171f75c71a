"""What a live run is doing, in words a reader knows, from the events its runner emitted.

The runner's overall progress gives each approach a share by its expected time; inside it each
sub-stage (choosing the prompt template, scoring, paraphrase checks, training) reports its own
"done" of "total". So a run shows two bars: the whole run, and the current step's own count.
Everything is read from the events' fields (`benchmarks.events.ProgressEvent`); approach ids are
swapped for titles by text only in the run's own stages and in events written before the fields
existed (their sub-stage was free text such as "training lora (32 examples)").

Time left is estimated from the run's own measured pace (`run_timing`), since the planned shares
of the approaches are only a guess: a run once sat at 10% for two minutes and at 100% for 90 s.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from benchmarks.events import ProgressEvent
from calculator.measured import metric_name
from core.approaches import NAMES, title

_APPROACH_ID = re.compile(r"\b(" + "|".join(map(re.escape, NAMES)) + r")\b")


@dataclass(frozen=True)
class LiveProgress:
    fraction: float  # the whole run, 0..1
    approach: str  # "Zero-shot prompt (approach 1 of 2)", or "" before the first approach
    step: str  # what the latest event says, approach ids replaced by their titles
    step_fraction: float | None  # the current step's done/total, when it counts


def titled(text: str) -> str:
    """Approach ids in free text replaced by their titles ("running lora" → "running LoRA fine-tune")."""
    return _APPROACH_ID.sub(lambda m: title(m.group(1)), text)


def _events(events: list[ProgressEvent | dict]) -> list[ProgressEvent]:
    return [e if isinstance(e, ProgressEvent) else ProgressEvent.model_validate(e) for e in events]


def label(event: ProgressEvent) -> str:
    """The event's step in words: "LoRA fine-tune · training on 1600 examples", "Zero-shot prompt"."""
    if event.approach:
        return " · ".join(w for w in (title(event.approach), event.substage) if w)
    return titled(event.substage or event.message)


def _step(event: ProgressEvent) -> str:
    if not event.approach:  # the run's own stages (loading, queued, done): their words name no approach
        return titled(event.message)
    if event.total is None or event.done is None:
        return f"{label(event)}: " + (primary(event.metrics) or "starting")
    loss = "" if event.loss is None else f", loss {event.loss:.4f}"
    return f"{label(event)}: {event.done}/{event.total}{loss}"


def primary(metrics: dict[str, float] | None) -> str | None:
    """"accuracy 0.823", "chrF 0.412": an approach's figures as the runner emits them when it ends
    (`{metric: value, **others}`, the task kind's primary metric first), its primary one named."""
    if not metrics:
        return None
    metric, value = next(iter(metrics.items()))
    return f"{metric_name(metric)} {value:.3f}"


def _current_approach(events: list[ProgressEvent], approaches: list[str]) -> str:
    name = next((e.approach for e in reversed(events) if e.approach in approaches), None)
    if name is None:
        return ""
    return f"{title(name)} (approach {approaches.index(name) + 1} of {len(approaches)})"


def live_progress(progress: float, message: str, events: list[ProgressEvent | dict],
                  approaches: list[str]) -> LiveProgress:
    """The run's bars and captions from its status (progress, message) and its events so far."""
    events = _events(events)
    latest = next((e for e in reversed(events) if e.message or e.total is not None), None)
    return LiveProgress(fraction=min(max(progress, 0.0), 1.0),
                        approach=_current_approach(events, approaches),
                        step=_step(latest) if latest else titled(message),
                        step_fraction=latest.step_fraction if latest else None)


def _starts_approach(event: ProgressEvent) -> bool:
    """The runner's "running <approach>" event: an approach's first, before it counts anything."""
    return bool(event.approach) and event.done is None and event.metrics is None and event.loss is None


@dataclass(frozen=True)
class RunTiming:
    elapsed_s: float
    remaining_s: float | None  # None until some stage has been timed
    basis: str  # how remaining_s was estimated, in words (the figure's source)


@dataclass
class _Slot:
    """What the events say about the stage now running (loading, or one approach)."""

    index: int = 0  # 0: loading; k: the k-th approach
    start: float = 0.0  # seconds since the run started
    share: float = 0.0  # the approach's own share done, the most it reached
    share_at: float = 0.0  # when it reached it
    step: ProgressEvent | None = None  # the latest counted step
    step_start: float = 0.0  # when that sub-stage began (the event before its first)


def _current_slot(timed: list[ProgressEvent], start: float, last: int) -> _Slot:
    slot, before = _Slot(), 0.0
    for event in timed:
        at = event.time - start
        if _starts_approach(event):
            slot = _Slot(index=min(slot.index + 1, last), start=at)
        else:
            if event.approach_progress is not None and event.approach_progress > slot.share:
                slot.share, slot.share_at = event.approach_progress, at
            if event.done is not None and event.total:
                if slot.step is None or (slot.step.substage, slot.step.total) != (event.substage, event.total):
                    slot.step_start = before
                slot.step = event
        before = at
    return slot


def _ahead(slot: _Slot, elapsed: float, start: float) -> float | None:
    """Seconds the current approach still needs at its own pace: the larger of its share done so far
    and its current sub-stage's count (training is counted apart from the scoring after it)."""
    guesses = []
    if slot.share:
        guesses.append((slot.share_at - slot.start) * (1 - slot.share) / slot.share - (elapsed - slot.share_at))
    if slot.step is not None and slot.step.done:
        at = slot.step.time - start
        done, total = slot.step.done, slot.step.total or 0
        guesses.append((at - slot.step_start) * (total - done) / done - (elapsed - at))
    return max(max(guesses), 0.0) if guesses else None


def run_timing(events: list[ProgressEvent | dict], edges: list[float], now: float) -> RunTiming | None:
    """Elapsed time since the run started, and an estimate of the time left.

    `edges` are where loading and each approach start on the run's bar, and 1.0
    (`benchmarks.runner.progress_edges`: each approach's planned share from its spec weight).
    Time left = the current approach at its own measured pace + the approaches still to come at
    the pace of the stages finished before it (seconds per unit of planned share). None while the
    run is still queued.
    """
    timed = [e for e in _events(events) if e.time is not None and e.stage != "queued"]
    if not timed:
        return None
    start = timed[0].time - (timed[0].elapsed_s or 0.0)
    if timed[-1].stage in ("done", "failed"):
        return RunTiming(timed[-1].time - start, 0.0, "the run has ended")
    elapsed = max(now - start, 0.0)
    slot = _current_slot(timed, start, len(edges) - 2)
    low, high = edges[slot.index], edges[slot.index + 1]
    pace = slot.start / low if slot.index and low > 0 and slot.start > 0 else None  # s per unit of planned share
    current = _ahead(slot, elapsed, start)
    basis = ["this approach at its own pace so far"]
    if current is None and pace is not None:
        current = max(pace * (high - low) - (elapsed - slot.start), 0.0)
        basis = ["this approach's planned share at the pace of the stages before it"]
    if current is None:
        return RunTiming(elapsed, None, "estimated once loading has finished")
    if high >= 1.0:
        return RunTiming(elapsed, current, basis[0])
    if pace is None:
        return RunTiming(elapsed, None, "estimated once the first stage has finished")
    after = len(edges) - 2 - slot.index
    basis.append(f"the {after} approach{'es' if after > 1 else ''} after it at the pace of the stages before it")
    return RunTiming(elapsed, current + pace * (1 - high), "; ".join(basis))


def duration(seconds: float) -> str:
    """45 s, 2 min 05 s, 1 h 05 min."""
    seconds = round(max(seconds, 0.0))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


def run_notes(events: list[ProgressEvent | dict]) -> list[str]:
    """The run's notes as its latest event that carried them listed them (duplicates removed, …)."""
    return next((e.notes for e in reversed(_events(events)) if e.notes is not None), [])


def loss_curves(events: list[ProgressEvent | dict]) -> dict[str, list[float]]:
    """Training loss per training run (its label), for the runs with a curve to draw (2+ steps)."""
    losses: dict[str, list[float]] = {}
    for event in _events(events):
        if event.loss is not None:
            losses.setdefault(label(event), []).append(event.loss)
    return {stage: curve for stage, curve in losses.items() if len(curve) > 1}


def measured(events: list[ProgressEvent | dict]) -> list[dict[str, float | str]]:
    """One row per approach that finished: its title and the figures its last event carried."""
    return [{"approach": title(e.approach or ""), **e.metrics} for e in _events(events) if e.metrics]
