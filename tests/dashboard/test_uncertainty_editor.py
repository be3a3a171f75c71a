"""The Scenario page's uncertainty table as a reader sees it: every cell a number in words or blank (a grid
draws a missing number as "None"), an absolute range's ends with thousands separators, what a blank means in
each column's help."""

from __future__ import annotations

from dashboard.edit import updated
from tests.dashboard.apptest import open_app

VOLUME = "workload.requests_per_month"


def test_absolute_and_relative_ranges_show_numbers_or_blanks_never_none():
    at = open_app("scenario")
    ranges = {k: r.model_dump(exclude_none=True) for k, r in at.session_state["scenario"].uncertainty.items()}
    ranges[VOLUME] = {"low": 1.5e6, "high": 4.5e6}
    at.session_state["scenario"] = updated(at.session_state["scenario"], {"uncertainty": ranges})
    at.run()
    frame = at.dataframe[0].value.set_index("input")
    assert frame.loc["Requests per month (requests/month)"].tolist() == ["", "", "1,500,000", "4,500,000"]
    assert frame.loc["Engineering hours for LoRA fine-tune (hours)"].tolist() == ["25", "150", "", ""]
    assert "None" not in frame.to_string() and all(isinstance(cell, str) for cell in frame.to_numpy().ravel())
    assert at.session_state["scenario"].uncertainty[VOLUME].model_dump(exclude_none=True) == {
        "low": 1.5e6, "high": 4.5e6}  # shown, not changed
