"""AppTest: every way the scenario is replaced (preset, upload, link, applied run) redraws the inputs.

Streamlit identifies a keyed widget by its key alone, so a browser keeps (and later sends back)
a widget's old value when only the value it is drawn with changes. These tests check that the
widgets show the scenario's values and that a replaced scenario's widgets are new widgets (new
ids), which is what makes the browser draw them afresh.
"""

from __future__ import annotations

import json

import pytest
import yaml

from calculator.analysis import analyze
from calculator.recommend.wording import money
from calculator.scenario import Scenario
from calculator.scenario_io import load_preset
from dashboard.edit import updated
from dashboard.urlstate import LINK_CHARS
from tests.dashboard.apptest import PAGES, metric, open_app, widget

VOLUME, HORIZON = "workload.requests_per_month", "workload.horizon_months"


def money_of(scenario: Scenario) -> str:
    """The chosen approach's cost over the horizon, as calculator/ computes it."""
    decision = analyze(scenario).recommendation
    return money(decision.approach(decision.choice).tco_usd)


def link_warnings(at) -> list[str]:
    return [w.value for w in at.warning if "link" in w.value]


def query(at) -> dict[str, str]:
    """The page URL's query parameters (one value each)."""
    return {key: at.query_params[key] for key in at.query_params}


def shown(at, place: str) -> tuple[float, int]:
    """The volume and horizon the widgets at `place` ("side" or "main") show."""
    return (widget(at, "number_input", f"{place}:{VOLUME}").value,
            widget(at, "slider", f"{place}:{HORIZON}").value)


def test_a_preset_redraws_every_input_and_an_edit_survives_page_switches():
    at = open_app("scenario")
    old_ids = {w.key: w.id for w in at.number_input}
    at.sidebar.selectbox[0].select("internal_helpdesk").run()
    assert not at.exception
    assert shown(at, "side") == shown(at, "main") == (2000, 12)  # the preset's own numbers
    assert not {w.id for w in at.number_input} & set(old_ids.values())  # all new widgets
    widget(at, "slider", f"main:{HORIZON}").set_value(9).run()
    assert shown(at, "side") == (2000, 9)  # the sidebar follows the Scenario page's edit
    at.switch_page(PAGES["decision"]).run()
    assert metric(at, "Cost over") and any(m.label == "Cost over 9 months" for m in at.metric)
    assert shown(at, "side") == (2000, 9)
    at.switch_page(PAGES["scenario"]).run()
    assert shown(at, "side") == shown(at, "main") == (2000, 9)
    assert at.session_state["scenario"].workload.requests_per_month == 2000
    assert at.sidebar.selectbox[0].value == "internal_helpdesk"


def test_an_edit_redraws_the_other_widget_of_the_field_only():
    at = open_app("scenario")
    side, main = (widget(at, "number_input", f"{p}:{VOLUME}") for p in ("side", "main"))
    side_id, main_id = side.id, main.id
    main.set_value(150_000).run()
    assert shown(at, "side")[0] == shown(at, "main")[0] == 150_000
    assert widget(at, "number_input", f"main:{VOLUME}").id == main_id  # the one typed in stays
    assert widget(at, "number_input", f"side:{VOLUME}").id != side_id


def test_uploading_a_scenario_after_a_preset_shows_the_file_values():
    at = open_app("scenario")
    at.sidebar.selectbox[0].select("internal_helpdesk").run()
    widget(at, "number_input", f"main:{VOLUME}").set_value(5000).run()
    data = load_preset("contract_review").model_dump(mode="json", exclude_unset=True)
    at.file_uploader[0].upload("contract.yaml", yaml.safe_dump(data).encode()).run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert shown(at, "side") == shown(at, "main") == (400_000, 18)
    at.switch_page(PAGES["decision"]).run()
    assert any(m.label == "Cost over 18 months" for m in at.metric)
    at.switch_page(PAGES["scenario"]).run()
    assert shown(at, "main") == (400_000, 18)



LINK = {"preset": "internal_helpdesk", VOLUME: "5000", HORIZON: "9",
        "range.workload.requests_per_month": "pct:20~80", "range.team.hours.zero_shot": "none"}


@pytest.mark.parametrize("page", list(PAGES))
def test_a_link_sets_the_inputs_and_the_numbers_on_every_page(page):
    at = open_app(page, query=LINK)
    assert not at.exception and not link_warnings(at)
    assert at.sidebar.selectbox[0].value == "internal_helpdesk"
    assert widget(at, "number_input", f"side:{VOLUME}").value == 5000
    assert widget(at, "slider", f"side:{HORIZON}").value == 9
    expected = updated(load_preset("internal_helpdesk"), {VOLUME: 5000, HORIZON: 9})
    ranges = at.session_state["scenario"].uncertainty
    assert ranges[VOLUME].model_dump(exclude_none=True) == {"minus_pct": 20, "plus_pct": 80}
    assert "team.hours.zero_shot" not in ranges and "labeling.cost_per_label_usd" in ranges
    assert at.sidebar.caption[-1].value.endswith("over 9 months")
    assert at.session_state["scenario"].workload == expected.workload


@pytest.mark.parametrize("page", list(PAGES))
def test_a_broken_link_says_so_on_every_page_until_dismissed(page):
    at = open_app(page, query={"preset": "support_intents", HORIZON: "0"})
    warning = link_warnings(at)[0]
    assert warning.startswith("This link's scenario could not be used, so the support_intents preset")
    assert "Horizon must be between 1 and 120 months; you entered 0." in warning
    assert widget(at, "slider", f"side:{HORIZON}").value == 24  # the preset's, as the banner says
    other = next(p for p in PAGES if p != page)
    at.switch_page(PAGES[other]).run()
    assert link_warnings(at) == [warning]  # still there on the next page
    at.button(key="dismiss_link_error").click().run()
    assert not link_warnings(at)


def test_the_link_after_edits_carries_only_the_differences_and_reopens_the_same_scenario():
    at = open_app("scenario")
    widget(at, "number_input", f"main:{VOLUME}").set_value(200_000).run()
    widget(at, "selectbox", "main:api.model").select("gpt-4o-mini").run()
    params = query(at)
    assert params == {"preset": "support_intents", VOLUME: "200000.0",
                      "api.model": "gpt-4o-mini"}  # a text as typed, not JSON; the range is relative
    again = open_app("decision", query=params)
    assert again.session_state["scenario"] == at.session_state["scenario"]
    assert metric(again, "Cost over") == money_of(at.session_state["scenario"])


def test_a_long_scenario_is_saved_and_the_link_carries_its_id(runs_root):
    at = open_app("scenario")
    pasted = "\n".join(f"Customer message number {i}: where is my order, it was due last week?"
                       for i in range(40))
    widget(at, "text_area", "main:task.sample_inputs").set_value(pasted).run()
    assert not at.error, [e.value for e in at.error]
    params = query(at)
    link_id = params["link"]
    assert set(params) == {"link"} and len(link_id) == 16
    saved = json.loads((runs_root / "links" / f"{link_id}.json").read_text())
    assert saved["preset"] == "support_intents" and len(saved["task.sample_inputs"]) > LINK_CHARS
    again = open_app("tokens", query={"link": link_id})
    assert not link_warnings(again)
    assert again.session_state["scenario"].task.sample_inputs == pasted.splitlines()


def test_a_saved_link_missing_on_this_server_says_so(runs_root):
    at = open_app("decision", query={"link": "0123456789abcdef"})
    assert any("the saved scenario '0123456789abcdef' of this link is not on this server" in w.value
               for w in at.warning)
