"""Progress events: what a run is doing, as fields (torch-free, so the dashboard and CLI read them).

The runner emits one `ProgressEvent` per step of work; `benchmarks.jobs` appends each to the run's
events.jsonl, one JSON object per line. Readers use the fields (which approach, which sub-stage,
done of total, loss, metrics), never the words of `message`, which is for logs and people.

Files written before the events were typed have no `approach` or `substage` keys; `ProgressEvent`
reads them too: a `stage` that names an approach becomes its `approach`, any other stage that is
not a run phase becomes its `substage`, and the approach id inside old `metrics` is dropped
(it was the stage's). A line that is not such an event is skipped by `read_events`.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from core.approaches import NAMES

APPROACH_IDS: frozenset[str] = frozenset(NAMES)
# Stages of the whole run that are not an approach: jobs' queue and outcome, the runner's start and end.
RUN_STAGES = ("queued", "starting", "loading", "done", "failed")


class ProgressEvent(BaseModel):
    """One step of a run. `stage` is the run phase (a RUN_STAGES entry, or the approach running)."""

    model_config = ConfigDict(extra="forbid")

    stage: str = ""
    approach: str | None = Field(None, description="the approach this event belongs to, if any")
    substage: str | None = Field(None, description="the step inside the approach: 'scoring', 'training on "
                                 "1600 examples', 'choosing the prompt template', …")
    done: int | None = Field(None, ge=0, description="the sub-stage's count so far …")
    total: int | None = Field(None, ge=0, description="… of this many (examples, batches or steps)")
    approach_progress: float | None = Field(None, ge=0, le=1, description="the approach's own share done")
    progress: float | None = Field(None, ge=0, le=1, description="the whole run, each approach weighted by its "
                                   "expected time; never moves back")
    loss: float | None = Field(None, description="training loss at this step")
    metrics: dict[str, float] | None = Field(None, description="an approach's measured figures when it ends")
    notes: list[str] | None = Field(None, description="the run's notes so far (data cleaning, split sizes, "
                                    "prompt choice), sent as each approach starts")
    message: str = Field("", description="the same in words, for logs and people")
    elapsed_s: float | None = Field(None, ge=0, description="seconds since the run started")
    time: float | None = Field(None, description="Unix time the event was written")
    traceback: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_older_files(cls, data: Any) -> Any:
        if not isinstance(data, dict) or "approach" in data or "substage" in data:
            return data
        data = dict(data)
        stage = data.get("stage", "")
        if stage in APPROACH_IDS:
            data["approach"] = stage
        elif stage and stage not in RUN_STAGES:
            data["substage"] = stage
        if isinstance(data.get("metrics"), dict):
            data["metrics"] = {k: v for k, v in data["metrics"].items() if k != "approach"}
        return data

    @property
    def step_fraction(self) -> float | None:
        """done / total of the current sub-stage, when it counts."""
        if not self.total or self.done is None:
            return None
        return min(self.done / self.total, 1.0)


def append_event(path: Path, event: ProgressEvent) -> None:
    """One line in events.jsonl (fields left unset are not written)."""
    with path.open("a", encoding="utf-8") as handle:
        handle.write(event.model_dump_json(exclude_none=True) + "\n")


@dataclass
class _Tail:
    """What `read_events` has read of one file: up to which byte, and the events there."""

    inode: int
    offset: int
    events: list[ProgressEvent]


_TAILS: dict[Path, _Tail] = {}  # the dashboard polls a live run's file: each poll reads only what was appended


def _parse(lines: list[str]) -> list[ProgressEvent]:
    events = []
    for line in lines:
        try:
            events.append(ProgressEvent.model_validate(json.loads(line)))
        except (json.JSONDecodeError, ValidationError):
            continue
    return events


def read_events(path: Path) -> list[ProgressEvent]:
    """The events in an events.jsonl, old or new; a line that is not one (cut short by a kill) is skipped.

    Files are only ever appended to, so a second read of the same file parses only the lines
    added since (up to the last complete line); a file replaced or cut shorter is read afresh.
    """
    try:
        with path.open("rb") as handle:
            stat = os.fstat(handle.fileno())
            tail = _TAILS.get(path)
            if tail is None or tail.inode != stat.st_ino or stat.st_size < tail.offset:
                tail = _Tail(stat.st_ino, 0, [])
            handle.seek(tail.offset)
            data = handle.read()
    except FileNotFoundError:
        _TAILS.pop(path, None)
        return []
    complete = data.rfind(b"\n") + 1
    if complete:
        text = data[:complete].decode("utf-8", errors="replace")
        tail = _Tail(tail.inode, tail.offset + complete, tail.events + _parse(text.splitlines()))
    _TAILS[path] = tail
    rest = data[complete:].decode("utf-8", errors="replace").strip()  # a last line still being written
    return list(tail.events) + (_parse([rest]) if rest else [])
