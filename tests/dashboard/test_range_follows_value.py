"""An edited value takes its uncertainty range along, so the Monte Carlo draws around it."""

from __future__ import annotations

import pytest

from calculator.costs import evaluate
from calculator.fields import Bounds
from calculator.recommend import recommend
from calculator.scenario import Range
from calculator.scenario_io import load_preset
from calculator.summary import run_monte_carlo
from dashboard.edit import updated
from dashboard.ranges import moved_range
from reporting import tables
from tests.dashboard.apptest import open_app, widget

VOLUME = "workload.requests_per_month"


def tco_spread(changes: dict) -> dict[str, str]:
    """The ranked table's TCO P10–P90 per approach title, as calculator/ computes it."""
    report = evaluate(updated(load_preset("support_intents"), changes))
    table = tables.ranking(recommend(report, run_monte_carlo(report)))
    column = table.columns.index("TCO P10–P90")
    return {row[1]: row[column] for row in table.rows}


def shown_tco_spread(at) -> dict[str, str]:
    frame = at.table[0].value
    column = next(c for c in frame.columns if "P10" in c)
    return dict(zip(frame["approach"].str.replace("\\", ""), frame[column].str.replace("\\", ""),
                    strict=True))


def test_volume_change_takes_its_relative_range_along():
    """The preset's volume range is ±50% of the value: at 200k the Monte Carlo draws 100k–300k."""
    at = open_app("decision")
    widget(at, "number_input", f"side:{VOLUME}").set_value(200_000).run()
    assert not at.exception and not at.error
    kept = at.session_state["scenario"].uncertainty[VOLUME]
    assert kept == Range(pct=50)  # nothing to move: it is relative to the value
    assert not any("range moved" in c.value for c in at.caption)
    expected = tco_spread({VOLUME: 200_000})
    assert shown_tco_spread(at) == expected
    assert expected != tco_spread({})  # the same range around 3M says otherwise


def test_volume_change_moves_an_absolute_range_and_the_monte_carlo_with_it():
    at = open_app("decision")
    ranges = {k: r.model_dump(exclude_none=True) for k, r in at.session_state["scenario"].uncertainty.items()}
    ranges[VOLUME] = {"low": 1.5e6, "high": 4.5e6}  # as a scenario file of 0.2 wrote it
    at.session_state["scenario"] = updated(at.session_state["scenario"], {"uncertainty": ranges})
    widget(at, "number_input", f"side:{VOLUME}").set_value(200_000).run()
    assert not at.exception and not at.error
    moved = at.session_state["scenario"].uncertainty[VOLUME]
    assert (moved.low, moved.high) == pytest.approx((100_000, 300_000))
    assert "range moved with the value: 100k–300k" in [c.value for c in at.caption]
    ranges[VOLUME] = {"low": 100_000, "high": 300_000}
    assert shown_tco_spread(at) == tco_spread({VOLUME: 200_000, "uncertainty": ranges})


@pytest.mark.parametrize(("span", "old", "new", "bounds", "moved"), [
    ((1.5e6, 4.5e6), 3e6, 2e5, Bounds(low=0, high=1e10), (1e5, 3e5)),  # scaled
    ((0, 6), 2, 0, Bounds(low=0, high=100), (0, 4)),  # to zero: shifted, clamped at the bound
    ((-1, 1), 0, 5, Bounds(low=-10, high=10), (4, 6)),  # from zero: shifted
    ((0.1, 0.4), 0.2, 0.5, Bounds(low=0, high=1, low_open=True), (0.25, 1.0)),  # clamped high
    ((1, 3), 2, -2, Bounds(low=-5, high=5), (-3, -1)),  # crossing zero: shifted
])
def test_a_range_is_scaled_or_shifted_and_stays_inside_the_bounds(span, old, new, bounds, moved):
    result = moved_range(Range(low=span[0], high=span[1]), old, new, bounds)
    assert (result.low, result.high) == pytest.approx(moved)


def test_the_uncertainty_editor_shows_relative_ranges_and_leaves_them_as_they_are():
    at = open_app("scenario")
    assert not at.exception and not at.error
    frame = at.dataframe[0].value
    rows = {row.input: (row.minus_pct, row.plus_pct) for row in frame.itertuples()}
    assert rows["Requests per month (requests/month)"] == ("50", "50")
    assert rows["Engineering hours for LoRA fine-tune (hours)"] == ("25", "150")
    assert frame["low"].eq("").all() and frame["high"].eq("").all()  # blank, not None
    assert at.session_state["scenario"].uncertainty == load_preset("support_intents").uncertainty
