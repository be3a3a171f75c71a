"""On every page: the preset, the two numbers people change most, and the answer in one line."""

from __future__ import annotations

import streamlit as st

from calculator.recommend.wording import money
from calculator.scenario_io import ScenarioError, preset_names
from dashboard import compute, fields, state
from dashboard.text import dollars, escape_md, field_title, in_words
from dashboard.urlstate import BLANK, base_scenario

ANSWER = "#### "  # the sidebar's answer: a heading that wraps in 256 px ("Zero-shot prompt" whole)

PRESET_KEY = "preset_choice"
PENDING = "preset_pending"  # a preset chosen while the scenario had unsaved changes: asked about first
NAMED_CHANGES = 4  # changes named in the question; the rest counted


def _load(name: str) -> None:
    try:
        state.set_scenario(base_scenario(name), preset_name=name)
    except ScenarioError as exc:
        st.session_state[state.ERRORS]["preset"] = in_words(exc)


def _on_preset() -> None:
    """A preset replaces the scenario at once, unless edits would be lost: then it asks first."""
    name = st.session_state[PRESET_KEY]
    if name == state.preset():  # back to the one loaded while asked: nothing to switch
        st.session_state.pop(PENDING, None)
    elif state.unsaved_changes():
        st.session_state[PENDING] = name
    else:
        _load(name)


def _switch() -> None:
    _load(st.session_state.pop(PENDING))


def _keep_editing() -> None:
    """No switch: the select goes back to the loaded preset as it is drawn."""
    st.session_state.pop(PENDING, None)


def _titles(changes: list[str]) -> str:
    """"Requests per month, Horizon and 3 more": the changed fields as the reader knows them."""
    titles = ["Applied benchmark run" if name == "measured" else field_title(name) for name in changes]
    named = ", ".join(titles[:NAMED_CHANGES])
    return named + (f" and {len(titles) - NAMED_CHANGES} more" if len(titles) > NAMED_CHANGES else "")


def _ask_before_switching() -> None:
    """The question a preset chosen over unsaved changes waits on: switch and discard, or keep editing."""
    target = st.session_state.get(PENDING)
    if target is None:
        return
    changes = state.unsaved_changes()
    if not changes:  # the edits were undone, or a file loaded, meanwhile: no question, the select redrawn
        del st.session_state[PENDING]
        st.rerun()
    them = "them" if len(changes) > 1 else "it"
    st.warning(escape_md(
        f"You have {len(changes)} unsaved change{'s' if len(changes) > 1 else ''} to {state.loaded_name()}: "
        f"{_titles(changes)}. Switching to {target} discards {them}; this page's link keeps {them}, "
        "so copy it first to come back."), icon=":material/edit_note:")
    st.button("Switch and discard", key="preset_switch", on_click=_switch, type="primary", width="stretch")
    st.button("Keep editing", key="preset_keep", on_click=_keep_editing, width="stretch")


def render() -> None:
    with st.sidebar:
        options = [*preset_names(), BLANK]
        if PENDING not in st.session_state and st.session_state.get(PRESET_KEY) != state.preset():
            st.session_state[PRESET_KEY] = state.preset()  # a link, an upload or "Keep editing" set it
        st.selectbox("Preset", options, key=PRESET_KEY, on_change=_on_preset,
                     help="Start from a company's example numbers; every input stays editable.")
        _ask_before_switching()
        fields.show_error("preset")
        st.caption(escape_md(state.scenario().name))
        fields.number_field("workload.requests_per_month", place="side",
                            label="Requests per month")
        fields.number_field("workload.horizon_months", place="side", label="Horizon (months)")
        decision = compute.recommendation(state.scenario())
        chosen = decision.approach(decision.choice) if decision.choice else None
        st.markdown("Answer", help=dollars(decision.headline))
        st.markdown(f"{ANSWER}{escape_md(chosen.title if chosen else 'No choice yet')}")  # wraps where a metric cuts
        if chosen:
            st.caption(dollars(f"{money(chosen.tco_usd)} over "
                               f"{state.scenario().workload.horizon_months} months"))
