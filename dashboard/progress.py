"""What a live run is doing, in words a reader knows, from the events its runner emitted.

The runner's overall progress gives each approach a share by its expected time; inside it each
sub-stage (choosing the prompt template, scoring, paraphrase checks, training) reports its own
"done" of "total". So a run shows two bars: the whole run, and the current step's own count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from calculator.approaches import REGISTRY

_APPROACH_ID = re.compile(r"\b(" + "|".join(map(re.escape, REGISTRY)) + r")\b")


@dataclass(frozen=True)
class LiveProgress:
    fraction: float  # the whole run, 0..1
    approach: str  # "Zero-shot prompt (approach 1 of 2)", or "" before the first approach
    step: str  # the latest message, approach ids replaced by their titles
    step_fraction: float | None  # the current step's done/total, when it counts


def titled(text: str) -> str:
    """Approach ids in a runner message replaced by their titles ("running lora" → "running LoRA fine-tune")."""
    return _APPROACH_ID.sub(lambda m: REGISTRY[m.group(1)].title, text)


def _current_approach(events: list[dict], approaches: list[str]) -> str:
    started = [e["stage"] for e in events if e.get("stage") in approaches]
    if not started:
        return ""
    name = started[-1]
    return f"{REGISTRY[name].title} (approach {approaches.index(name) + 1} of {len(approaches)})"


def _step_fraction(event: dict) -> float | None:
    if not event.get("total"):
        return None
    return min(event["done"] / event["total"], 1.0)


def live_progress(progress: float, message: str, events: list[dict], approaches: list[str]) -> LiveProgress:
    """The run's bars and captions from its status (progress, message) and its events so far."""
    latest = next((e for e in reversed(events) if e.get("message")), {"message": message})
    return LiveProgress(fraction=min(max(progress, 0.0), 1.0),
                        approach=_current_approach(events, approaches),
                        step=titled(latest["message"]), step_fraction=_step_fraction(latest))


def loss_curves(events: list[dict]) -> dict[str, list[float]]:
    """Training loss per training stage (titled), for the stages with a curve to draw (2+ steps)."""
    losses: dict[str, list[float]] = {}
    for event in events:
        if "loss" in event:
            losses.setdefault(titled(event.get("stage", "training")), []).append(event["loss"])
    return {stage: curve for stage, curve in losses.items() if len(curve) > 1}
