"""An MFU above 100% (a CPU peak measured while the machine was busier) is never shown as measured."""

from __future__ import annotations

from benchmarks.result import drop_impossible_mfu
from tests.dashboard.fake_result import fake_result


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
