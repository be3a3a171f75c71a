"""Typed progress events: written and read back as fields; files from before the types still read."""

from __future__ import annotations

import json

from benchmarks.events import ProgressEvent, append_event, read_events
from dashboard.progress import live_progress, loss_curves, measured

# Lines as the untyped runner and jobs wrote them (json.dumps({"time": ..., **event})).
OLD_LINES = [
    {"time": 1.0, "stage": "starting", "progress": 0.0, "message": "starting"},
    {"time": 2.0, "stage": "lora", "message": "running lora", "progress": 0.2},
    {"time": 3.0, "stage": "training lora (32 examples)", "message": "training lora (32 examples): step 1/4, "
     "loss 2.0000", "done": 1, "total": 4, "loss": 2.0, "progress": 0.3},
    {"time": 4.0, "stage": "training lora (32 examples)", "message": "training lora (32 examples): step 2/4, "
     "loss 1.5000", "done": 2, "total": 4, "loss": 1.5, "progress": 0.4},
    {"time": 5.0, "stage": "lora", "message": "lora: accuracy 0.750", "progress": 1.0,
     "metrics": {"approach": "lora", "accuracy": 0.75, "macro_f1": 0.7}},
    {"time": 6.0, "stage": "failed", "message": "RuntimeError: boom", "traceback": "Traceback ..."},
]


def test_an_event_round_trips_through_events_jsonl(tmp_path):
    path = tmp_path / "events.jsonl"
    event = ProgressEvent(stage="lora", approach="lora", substage="training on 1600 examples", done=3, total=100,
                          approach_progress=0.03, progress=0.2, loss=0.6931, message="lora: training: 3/100",
                          elapsed_s=12.5, time=1.0)
    append_event(path, event)
    append_event(path, ProgressEvent(stage="loading", message="loading"))
    line = json.loads(path.read_text().splitlines()[1])
    assert line == {"stage": "loading", "message": "loading"}  # unset fields are not written
    assert read_events(path) == [event, ProgressEvent(stage="loading", message="loading")]
    assert event.step_fraction == 0.03


def test_old_files_read_as_fields_and_bad_lines_are_skipped(tmp_path):
    path = tmp_path / "events.jsonl"
    lines = [json.dumps(e) for e in OLD_LINES] + ['{"stage": "lora", "done": 3, "tot', '{"stage": 5}',
                                                  '{"stage": "lora", "speed": "fast"}']
    path.write_text("\n".join(lines) + "\n")
    events = read_events(path)
    assert len(events) == len(OLD_LINES)  # the cut line, the wrong type, the unknown field: skipped
    starting, running, step1, _, finished, failed = events
    assert (starting.approach, starting.substage) == (None, None)
    assert (running.approach, running.substage) == ("lora", None)
    assert (step1.approach, step1.substage, step1.done, step1.total, step1.loss) == (
        None, "training lora (32 examples)", 1, 4, 2.0)
    assert (finished.approach, finished.metrics) == ("lora", {"accuracy": 0.75, "macro_f1": 0.7})
    assert failed.traceback == "Traceback ..."


def test_the_dashboard_reads_old_and_new_events_alike():
    old = [ProgressEvent.model_validate(e) for e in OLD_LINES[1:5]]  # running, 2 steps, finished
    new = [
        ProgressEvent(stage="lora", approach="lora", message="running lora", progress=0.2),
        *[ProgressEvent(stage="lora", approach="lora", substage="training on 32 examples", done=d, total=4,
                        loss=loss, message=f"lora: training on 32 examples: {d}/4")
          for d, loss in ((1, 2.0), (2, 1.5))],
        ProgressEvent(stage="lora", approach="lora", approach_progress=1.0, message="lora: accuracy 0.750",
                      metrics={"accuracy": 0.75, "macro_f1": 0.7}),
    ]
    assert loss_curves(old) == {"training LoRA fine-tune (32 examples)": [2.0, 1.5]}
    assert loss_curves(new) == {"LoRA fine-tune · training on 32 examples": [2.0, 1.5]}
    for events in (old, new):
        assert measured(events) == [{"approach": "LoRA fine-tune", "accuracy": 0.75, "macro_f1": 0.7}]
        finished = live_progress(1.0, "", events, ["zero_shot", "lora"])
        assert finished.approach == "LoRA fine-tune (approach 2 of 2)"
        assert (finished.step, finished.step_fraction) == ("LoRA fine-tune: accuracy 0.750", None)
        training = live_progress(0.4, "", events[:3], ["zero_shot", "lora"])
        assert training.step_fraction == 0.5 and training.step.endswith("2/4, loss 1.5000")
    # new events name the approach in a field: no text is parsed for it
    assert live_progress(0.4, "", new[:3], ["lora"]).step == "LoRA fine-tune · training on 32 examples: 2/4, loss 1.5000"


def test_a_polled_file_is_parsed_only_where_it_grew(tmp_path, monkeypatch):
    """The dashboard re-reads a live run's events every poll: each read parses only the appended
    lines; a line still being written is read once complete; a replaced file is read afresh."""
    from benchmarks import events as module

    parsed: list[int] = []
    real = module._parse
    monkeypatch.setattr(module, "_parse", lambda lines: parsed.append(len(lines)) or real(lines))
    path = tmp_path / "events.jsonl"
    steps = [ProgressEvent(stage="lora", approach="lora", done=d, total=9, loss=1.0 / d) for d in range(1, 10)]
    for e in steps[:5]:
        append_event(path, e)
    assert read_events(path) == steps[:5] and parsed == [5]
    append_event(path, steps[5])
    with path.open("a", encoding="utf-8") as handle:  # the writer is mid-line
        handle.write(steps[6].model_dump_json(exclude_none=True)[:12])
    assert read_events(path) == steps[:6] and parsed == [5, 1, 1]  # the cut tail is tried, not kept
    with path.open("a", encoding="utf-8") as handle:
        handle.write(steps[6].model_dump_json(exclude_none=True)[12:] + "\n")
    assert read_events(path) == steps[:7] and parsed[-1] == 1
    replaced = tmp_path / "new.jsonl"
    append_event(replaced, steps[8])
    replaced.replace(path)  # a new file (another inode) under the same name
    assert read_events(path) == [steps[8]]
