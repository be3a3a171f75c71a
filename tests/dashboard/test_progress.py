"""A live run's progress in a reader's words: approach titles, and the current step's own count."""

from __future__ import annotations

from dashboard.progress import live_progress, loss_curves, titled

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
