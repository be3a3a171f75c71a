"""What a live run is doing, in words a reader knows, from the events its runner emitted.

The runner's overall progress gives each approach a share by its expected time; inside it each
sub-stage (choosing the prompt template, scoring, paraphrase checks, training) reports its own
"done" of "total". So a run shows two bars: the whole run, and the current step's own count.
Everything is read from the events' fields (`benchmarks.events.ProgressEvent`); approach ids are
swapped for titles by text only in the run's own stages and in events written before the fields
existed (their sub-stage was free text such as "training lora (32 examples)").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from benchmarks.events import ProgressEvent
from calculator.approaches.spec import NAMES, title

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
        accuracy = (event.metrics or {}).get("accuracy")
        return f"{label(event)}: " + ("starting" if accuracy is None else f"accuracy {accuracy:.3f}")
    loss = "" if event.loss is None else f", loss {event.loss:.4f}"
    return f"{label(event)}: {event.done}/{event.total}{loss}"


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
