"""Applying a run row by row on the Benchmark page, the banner and un-apply on both pages, and the
Decision page's sentences after applying (issues 15 and 17): AppTest on a real result file."""

from __future__ import annotations

import pytest

from core.files import runs_dir
from core.result import save_result
from tests.dashboard.apptest import PAGES, open_app
from tests.fake_result import fake_result

RUN = "run-apply-1"


@pytest.fixture
def small_run(runs_root):
    """Every row measured locally on smollm2-135m-instruct; support_intents prices gpt-4o and Llama 8B."""
    result = fake_result(RUN, lora_accuracy=0.95)
    save_result(result, runs_dir() / RUN)
    return result


def _row(at, row_key: str):
    return next(c for c in at.checkbox if c.key and c.key.startswith(f"apply-row:{RUN}:{row_key}:"))


def _page_text(at) -> str:
    """Every sentence the page shows (Markdown escapes removed)."""
    parts = [e.value for kind in ("markdown", "info", "warning", "success", "caption") for e in getattr(at, kind)]
    parts += [" ".join(map(str, t.value.to_numpy().ravel())) for t in at.table]
    parts += [m.value for m in at.metric]
    return "\n".join(parts).replace("\\", "")


def _ranked(at) -> dict[str, str]:
    """The ranked table's 'accuracy from' by approach title."""
    frame = next(t.value for t in at.table if "accuracy from" in t.value.columns)
    frame = frame.map(lambda cell: str(cell).replace("\\", ""))
    return dict(zip(frame["approach"], frame["accuracy from"], strict=True))


def test_mismatched_rows_start_unchecked_and_only_the_chosen_ones_apply(small_run):
    at = open_app("benchmark")
    rows = {key: _row(at, key) for key in ("zero_shot@local", "few_shot@local", "lora@local")}
    assert not any(c.value for c in rows.values())  # all measured on another model than the scenario prices
    captions = " ".join(c.value for c in at.caption).replace("\\", "")
    assert "Zero-shot prompt was measured on smollm2-135m-instruct, the scenario prices gpt-4o" in captions
    assert "LoRA fine-tune was measured on smollm2-135m-instruct, the scenario prices Llama-3.1-8B-Instruct" in captions
    rows["few_shot@local"].check()
    rows["lora@local"].check()
    next(b for b in at.button if b.key == f"apply:{RUN}").click().run()
    assert not at.exception, [e.value for e in at.exception]
    measured = at.session_state["scenario"].measured
    assert measured.approaches.keys() == {"few_shot", "lora"}
    banner = " ".join(i.value for i in at.info).replace("\\", "")
    assert (f"The scenario uses run {RUN}: Few-shot prompt accuracy 75.0% on smollm2-135m-instruct (local); "
            "LoRA fine-tune accuracy 95.0% on smollm2-135m-instruct (local). Not applied: Zero-shot prompt was "
            "measured") in banner

    at.switch_page(PAGES["decision"]).run()
    assert not at.exception
    ranked = _ranked(at)
    assert ranked["Few-shot prompt"] == f"measured on smollm2-135m-instruct (local), run {RUN}"
    assert ranked["Zero-shot prompt"] == "typed" and ranked["Chain-of-thought"] == "typed"


def test_after_applying_every_sentence_quotes_the_applied_figures_and_unapply_restores_the_typed(small_run):
    at = open_app("benchmark")
    for key in ("zero_shot@local", "few_shot@local", "lora@local"):
        _row(at, key).check()
    next(b for b in at.button if b.key == f"apply:{RUN}").click().run()
    at.switch_page(PAGES["decision"]).run()
    text = _page_text(at)
    # the typed 79% (zero-shot) and 86% (few-shot) were replaced by the run's 70% and 75%
    assert "79%" not in text and "86%" not in text
    assert "70%" in text and "75%" in text
    # the curve sentence compares LoRA with the prompt measured in the same run, named, with its source
    assert (f"LoRA fine-tune reaches the best prompt, Few-shot prompt at 75% (measured on smollm2-135m-instruct (local), "
            f"run {RUN}), with about") in text
    assert f"learning curve of run {RUN} on smollm2-135m-instruct" in text
    assert _ranked(at)["LoRA fine-tune"] == f"measured on smollm2-135m-instruct (local), run {RUN}"

    next(b for b in at.button if b.key == "unapply:decision").click().run()
    assert not at.exception
    assert at.session_state["scenario"].measured is None
    text = _page_text(at)
    assert f"uses run {RUN}" not in text and "measured on" not in " ".join(_ranked(at).values())
    assert set(_ranked(at).values()) <= {"typed", "—"}  # —: no accuracy given
    assert not any(b.key == "unapply:decision" for b in at.button)


def test_unapply_on_the_benchmark_page(small_run):
    at = open_app("benchmark")
    _row(at, "lora@local").check()
    next(b for b in at.button if b.key == f"apply:{RUN}").click().run()
    assert at.session_state["scenario"].measured.approaches.keys() == {"lora"}
    next(b for b in at.button if b.key == "unapply:benchmark").click().run()
    assert at.session_state["scenario"].measured is None
    assert not any("uses run" in i.value for i in at.info)
