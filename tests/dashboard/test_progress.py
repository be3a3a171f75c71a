"""A live run's progress in a reader's words: approach titles, and the current step's own count."""

from __future__ import annotations

import re
import time

import pytest

from dashboard.progress import (
    duration,
    live_progress,
    loss_curves,
    measured,
    run_notes,
    run_timing,
    titled,
)
from tests.dashboard.apptest import open_app
from tests.dashboard.running_run import running_run

EVENTS = [  # as the runner wrote them in a real run's events.jsonl
    {"stage": "loading", "message": "loading model smollm2-135m-instruct", "progress": 0.0},
    {"stage": "zero_shot", "message": "running zero_shot", "progress": 0.25},
    {"stage": "choosing the prompt template", "message": "choosing the prompt template: 100/100",
     "done": 100, "total": 100, "progress": 0.5},
    {"stage": "zero_shot", "message": "zero_shot: 64/240", "done": 64, "total": 240, "progress": 0.5},
]


def test_the_step_bar_moves_while_the_whole_run_bar_waits_for_the_next_approach():
    p = live_progress(0.5, "older status message", EVENTS, ["zero_shot", "lora"])
    assert p.fraction == 0.5
    assert p.approach == "Zero-shot prompt (approach 1 of 2)"
    assert p.step == "Zero-shot prompt: 64/240"
    assert p.step_fraction == 64 / 240


def test_before_any_approach_and_without_a_count():
    p = live_progress(0.0, "waiting to start", [], ["zero_shot"])
    assert (p.approach, p.step, p.step_fraction) == ("", "waiting to start", None)


def test_titles_replace_every_approach_id_but_not_parts_of_words():
    assert titled("training lora (16 examples): step 3/10") == "training LoRA fine-tune (16 examples): step 3/10"
    assert titled("running full_finetune") == "running Full fine-tune"
    assert titled("explora") == "explora"


def test_loss_curves_wait_for_a_second_step():
    events = [{"stage": "training lora (32 examples)", "loss": 2.0, "done": 1, "total": 4}]
    assert loss_curves(events) == {}  # one point: no curve, so no empty chart either
    events.append({"stage": "training lora (32 examples)", "loss": 1.5, "done": 2, "total": 4})
    events.append({"stage": "training lora (8 examples)", "loss": 2.2, "done": 1, "total": 4})
    assert loss_curves(events) == {"training LoRA fine-tune (32 examples)": [2.0, 1.5]}


# A run of zero-shot then LoRA, its bar planned as loading 0-10%, zero-shot 10-30%, LoRA 30-100%.
EDGES = [0.0, 0.1, 0.3, 1.0]
T0 = 1_000.0  # Unix time the run started
TIMED = [
    {"stage": "queued", "message": "queued: another benchmark is using the model", "time": T0 - 50},
    {"stage": "starting", "message": "starting", "time": T0},
    {"stage": "loading", "message": "loading model", "elapsed_s": 0.0, "time": T0},
    {"stage": "zero_shot", "approach": "zero_shot", "message": "running zero_shot", "time": T0 + 10,
     "notes": ["73 duplicated texts were removed"]},
    {"stage": "zero_shot", "approach": "zero_shot", "done": 120, "total": 240, "approach_progress": 0.5,
     "time": T0 + 20},
    {"stage": "zero_shot", "approach": "zero_shot", "approach_progress": 1.0, "metrics": {"accuracy": 0.7},
     "time": T0 + 40},
    {"stage": "lora", "approach": "lora", "message": "running lora", "time": T0 + 40,
     "notes": ["73 duplicated texts were removed", "test split is 75 (asked 240)"]},
    {"stage": "lora", "approach": "lora", "substage": "training on 512 examples", "done": 5, "total": 20,
     "approach_progress": 0.25, "loss": 1.0, "time": T0 + 50},
    {"stage": "lora", "approach": "lora", "substage": "training on 512 examples", "done": 20, "total": 20,
     "approach_progress": 1.0, "loss": 0.5, "time": T0 + 80},
    {"stage": "lora", "approach": "lora", "substage": "scoring after training on 512 examples", "done": 100,
     "total": 240, "approach_progress": 100 / 240, "time": T0 + 90},
    {"stage": "done", "message": "done: 2/2 approaches", "time": T0 + 120},
]


def timing_after(n_events: int, now: float):
    return run_timing(TIMED[:n_events], EDGES, T0 + now)


def test_time_left_is_the_current_approach_at_its_own_pace_plus_the_rest_at_the_pace_so_far():
    assert timing_after(1, 0) is None  # queued: nothing to time yet
    loading = timing_after(3, 5)
    assert (loading.elapsed_s, loading.remaining_s) == (5, None)
    # zero-shot did half its share in its first 10 s: 10 s more, less the 5 s since that step;
    # loading took 10 s for a 0.1 share (100 s per unit), so LoRA's 0.7 share is 70 s
    mid = timing_after(5, 25)
    assert mid.elapsed_s == 25 and mid.remaining_s == pytest.approx(5 + 70)
    assert mid.basis.startswith("this approach at its own pace") and "1 approach after it" in mid.basis


def test_an_approach_not_yet_counting_gets_its_planned_share_at_the_measured_pace():
    # 40 s for the first 0.3 of the plan: LoRA's 0.7 share is 93.3 s
    timing = timing_after(7, 40)
    assert timing.remaining_s == pytest.approx(0.7 * 40 / 0.3)
    assert timing.basis == "this approach's planned share at the pace of the stages before it"


def test_training_and_the_scoring_after_it_are_each_timed_by_their_own_count():
    training = timing_after(8, 52)  # 5 of 20 steps in 10 s: 30 s more, 2 s of it gone
    assert training.remaining_s == pytest.approx(28)
    # training is at 100% of the approach's share, but the scoring after it counts on: 100 of 240
    # examples in the 10 s since training ended, 14 s more, 2 s of it gone
    scoring = timing_after(10, 92)
    assert scoring.remaining_s == pytest.approx(12)
    ended = timing_after(11, 300)
    assert (ended.elapsed_s, ended.remaining_s) == (120, 0.0)


def test_durations_and_the_latest_notes():
    assert [duration(s) for s in (45, 125, 3_900, -3)] == ["45 s", "2 min 05 s", "1 h 05 min", "0 s"]
    assert run_notes(TIMED[:3]) == []
    assert run_notes(TIMED[:5]) == ["73 duplicated texts were removed"]
    assert run_notes(TIMED) == ["73 duplicated texts were removed", "test split is 75 (asked 240)"]


@pytest.fixture
def running_upload_run():
    yield from running_run()


def test_the_card_of_a_run_in_progress_shows_elapsed_time_left_file_name_and_notes(running_upload_run):
    run_dir, start = running_upload_run
    at = open_app("benchmark")
    shown_at = time.time()
    header = next(m.value for m in at.markdown if run_dir.name.replace("-", "\\-") in m.value)
    assert "on uploaded file my\\_reviews\\.csv" in header
    captions = [c.value for c in at.caption]
    assert "Note: 73 duplicated texts were removed" in captions
    assert "Note: test split is 75 \\(asked 240\\)" in captions
    timing = next(c for c in captions if c.startswith("Elapsed"))
    found = re.match(r"Elapsed (\d+) s · about (\d+) min (\d+) s left \(this approach at its own pace so far; "
                     r"the 1 approach after it at the pace of the stages before it\)", timing)
    assert found, timing
    elapsed, remaining = int(found[1]), 60 * int(found[2]) + int(found[3])
    assert 25 <= elapsed <= shown_at - start + 1
    # zero-shot: 10 s more at its pace, 5 s of it gone by the 25th second; loading took 10 s for its
    # weight 0.2 (spec weights: zero-shot 1, LoRA 4.4), so LoRA's 4.4 is 220 s
    assert 225 - (shown_at - start - 25) - 5 <= remaining <= 225 + 5  # shown to 10 s
    assert remaining % 10 == 0
    assert not at.exception


def test_the_card_names_the_model_each_backend_measures():
    from benchmarks.config import BenchConfig
    from dashboard.live_runs import _models

    endpoint = dict(endpoint_url="https://api.openai.com/v1", endpoint_model="gpt-4o-mini")
    assert _models(BenchConfig(approaches=["zero_shot", "lora"])) == "smollm2-135m-instruct"
    assert _models(BenchConfig(approaches=["zero_shot"], **endpoint)) == "gpt-4o-mini at api.openai.com"
    assert _models(BenchConfig(approaches=["zero_shot", "lora"], **endpoint)) == (
        "smollm2-135m-instruct (local) and gpt-4o-mini at api.openai.com")


ENDED = {"stage": "zero_shot", "approach": "zero_shot", "approach_progress": 1.0, "progress": 0.3}


def test_an_approach_that_ended_is_said_with_its_metric_named():
    """The runner's metrics are {metric: value, **others}: accuracy first for classification, chrF or
    field F1 for a text task (issue 26); older events' {"accuracy", "macro_f1"} read the same."""
    labels = {**ENDED, "message": "zero_shot: accuracy 0.823", "metrics": {"accuracy": 0.823, "macro_f1": 0.8}}
    assert live_progress(0.3, "", [*EVENTS, labels], ["zero_shot"]).step == "Zero-shot prompt: accuracy 0.823"
    text = {**ENDED, "message": "zero_shot: chrf 0.412",
            "metrics": {"chrf": 0.412, "rouge_l": 0.31, "token_f1": 0.28, "exact_match": 0.0}}
    assert live_progress(0.3, "", [*EVENTS, text], ["zero_shot"]).step == "Zero-shot prompt: chrF 0.412"
    fields = {**ENDED, "message": "zero_shot: field_f1 0.900",
              "metrics": {"field_f1": 0.9, "field_precision": 0.92, "field_recall": 0.88, "json_valid": 1.0}}
    assert live_progress(0.3, "", [fields], ["zero_shot"]).step == "Zero-shot prompt: field F1 0.900"
    assert measured([text]) == [{"approach": "Zero-shot prompt", "chrf": 0.412, "rouge_l": 0.31, "token_f1": 0.28,
                                 "exact_match": 0.0}]


def test_the_card_of_a_text_run_names_its_metric(running_upload_run):
    from benchmarks.events import ProgressEvent, append_event

    run_dir, start = running_upload_run
    append_event(run_dir / "events.jsonl", ProgressEvent(
        stage="zero_shot", approach="zero_shot", approach_progress=1.0, progress=0.3, time=start + 24,
        message="zero_shot: chrf 0.412", metrics={"chrf": 0.412, "rouge_l": 0.31, "exact_match": 0.0}))
    at = open_app("benchmark")
    assert "Zero-shot prompt: chrF 0.412" in [c.value.replace("\\", "") for c in at.caption]
    table = next(f for f in at.dataframe if "chrf" in f.value)
    assert list(table.value.columns) == ["approach", "chrf", "rouge_l", "exact_match"]
    assert not at.exception
