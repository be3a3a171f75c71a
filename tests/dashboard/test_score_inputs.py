"""The Scenario page's typed scores on the target's scale: accuracy in percent beside the percent target
slider (79.0, not 0.790), chrF as a 0-1 fraction; the scenario keeps fractions. Hosting in words."""

from __future__ import annotations

import pytest

from tests.dashboard.apptest import open_app, widget


def score_box(at, approach: str):
    return widget(at, "number_input", f"main:quality.scores.{approach}")


def test_accuracy_scores_are_typed_in_percent_like_the_target():
    at = open_app("scenario")  # support_intents: accuracy, zero-shot typed as 0.79
    box = score_box(at, "zero_shot")
    assert box.label == "Zero-shot prompt (%)" and box.value == pytest.approx(79.0) and box.proto.format == "%.1f"
    assert "**Accuracy per approach** (%;" in " ".join(m.value for m in at.markdown)
    box.set_value(81.5).run()
    assert at.session_state["scenario"].quality.scores["zero_shot"] == pytest.approx(0.815)


def test_chrf_scores_stay_fractions_and_say_so():
    at = open_app("scenario", {"preset": "support_reply_drafting"})
    box = score_box(at, "lora")
    assert box.label == "LoRA fine-tune (0-1)" and box.value == pytest.approx(0.52) and box.max == 1.0
    box.set_value(0.6).run()
    assert at.session_state["scenario"].quality.scores["lora"] == pytest.approx(0.6)


def test_hosting_is_chosen_in_words():
    at = open_app("scenario")
    hosting = widget(at, "selectbox", "main:finetuning.hosting")
    assert hosting.options == ["on own GPUs", "at the provider"] and hosting.value == "self_hosted"
