"""An MFU above 100% (a CPU peak measured while the machine was busier) is never shown as measured."""

from __future__ import annotations

import pytest

from core.result import drop_impossible_mfu, settle_cpu_peak
from tests.fake_result import fake_result


def test_an_impossible_mfu_clears_the_run_s_mfus_and_says_why():
    result = fake_result()
    result.environment.peak_flops = 53.4e9
    result.approaches[0].eval_mfu = 1.198
    result.approaches[1].eval_mfu = 0.31
    result.approaches[2].training.mfu = 0.154
    note = drop_impossible_mfu(result)
    assert note.startswith("MFU not reported: the peak measured as the run started (53 GFLOP/s)")
    assert [a.eval_mfu for a in result.approaches] == [None, None, None]
    assert result.approaches[2].training.mfu is None


def test_possible_mfus_are_kept():
    result = fake_result()
    result.approaches[0].eval_mfu = 0.78
    assert drop_impossible_mfu(result) is None
    assert result.approaches[0].eval_mfu == 0.78


def test_a_faster_peak_at_the_run_s_end_rescales_every_mfu():
    result = fake_result()
    result.environment.peak_flops, result.environment.peak_basis = 100e9, "measured"
    result.approaches[0].eval_mfu = 0.9
    result.approaches[2].training.mfu = 0.5
    settle_cpu_peak(result, 150e9)  # 90 GFLOP/s of 150 is 60%; 50 of 150 is 33.3%
    assert result.environment.peak_flops == 150e9
    assert result.approaches[0].eval_mfu == pytest.approx(0.6)
    assert result.approaches[2].training.mfu == pytest.approx(1 / 3)
    assert "the faster of two measurements" in result.environment.peak_basis


def test_a_slower_peak_at_the_run_s_end_changes_nothing():
    result = fake_result()
    result.environment.peak_flops = 100e9
    result.approaches[0].eval_mfu = 0.9
    settle_cpu_peak(result, 80e9)
    assert result.environment.peak_flops == 100e9 and result.approaches[0].eval_mfu == 0.9
