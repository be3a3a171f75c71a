"""The session's scenario: one validated Scenario in session state, mirrored into the URL.

Widgets never hold the truth: each one writes through `change_field`, which validates the whole
scenario and, when the value is rejected, keeps the last good scenario and records a message
for that field (shown inline by the widget; every other number on the page keeps working).

A widget's key carries a version (f:<version>:<place>:<field>). Streamlit identifies a keyed
widget by its key alone, so a browser keeps showing (and later sends back) a widget's old value
when only its `value=` changes; a new version is a new widget, drawn with the scenario's value.
Replacing the scenario (preset, upload, link, applied run) gives every widget a new version; an
edit gives a new version to the other widgets showing the same field (sidebar and Scenario page).

The scenario last loaded (a preset, a file, the link the session opened) is kept beside it: what
differs from it are the unsaved changes a preset switch asks about.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from calculator.prices import PriceNotFound
from calculator.scenario import Scenario
from calculator.scenario_io import ScenarioError
from dashboard.compute import cost_report
from dashboard.edit import updated
from dashboard.ranges import amount, ranges_after_edit
from dashboard.text import field_title, in_words
from dashboard.urlstate import (
    base_scenario,
    leaves,
    link_preset,
    scenario_from_params,
    scenario_to_params,
)

DEFAULT_PRESET = "support_intents"
SCENARIO, PRESET, ERRORS, LINK_ERROR = "scenario", "preset", "field_errors", "link_error"
LOADED = "loaded_scenario"  # the scenario as last loaded, before any edit
RANGE_NOTES = "range_notes"  # dotted field -> "range moved with the value: 100k–300k"
UNCERTAINTY = "uncertainty"
WIDGET_PREFIX = "f:"  # widget keys: f:<version>:<place>:<dotted field>
VERSIONS = "widget_versions"  # "<place>:<dotted field>" -> version of its widget key


def init() -> None:
    """First run of a session: the scenario from the URL, else the default preset."""
    if SCENARIO in st.session_state:
        return
    st.session_state[ERRORS], st.session_state[RANGE_NOTES], st.session_state[VERSIONS] = {}, {}, {}
    params = st.query_params.to_dict()
    opened, name = _from_link(params) if params else (base_scenario(DEFAULT_PRESET), DEFAULT_PRESET)
    st.session_state[SCENARIO] = st.session_state[LOADED] = opened
    st.session_state[PRESET] = name


def _from_link(params: dict[str, str]) -> tuple[Scenario, str]:
    """The link's scenario once it is valid and priced; else, whole, the preset it starts from
    (or the default one), with why. Adopting it first would leave every page failing on it."""
    try:
        linked, name = scenario_from_params(params)
        cost_report(linked)
    except (ScenarioError, PriceNotFound) as exc:
        fallback = link_preset(params) or DEFAULT_PRESET
        st.session_state[LINK_ERROR] = (f"This link's scenario could not be used, so the {fallback} "
                                        f"preset is shown instead. {_link_problem(exc)}")
        return base_scenario(fallback), fallback
    return linked, name


def _link_problem(exc: ScenarioError | PriceNotFound) -> str:
    """What is wrong with the link, naming the field by its title."""
    if isinstance(exc, PriceNotFound):  # "api.model: no price for ...; what to set instead", said whole
        dotted, _, problem = str(exc).partition(": ")
        return f"{field_title(dotted)} — {problem}."
    return in_words(exc)


def scenario() -> Scenario:
    return st.session_state[SCENARIO]


def preset() -> str:
    return st.session_state[PRESET]


def field_error(dotted: str) -> str | None:
    return st.session_state[ERRORS].get(dotted)


def range_note(dotted: str) -> str | None:
    return st.session_state[RANGE_NOTES].get(dotted)


def widget_key(place: str, dotted: str) -> str:
    """The current key of the widget showing `dotted` at `place` ("side", "main")."""
    slot = f"{place}:{dotted}"
    version = st.session_state[VERSIONS].setdefault(slot, 0)
    return f"{WIDGET_PREFIX}{version}:{slot}"


def _slot(key: str) -> str:
    return key.removeprefix(WIDGET_PREFIX).split(":", 1)[1]


def _forget_widgets(slots: list[str]) -> None:
    """New versions for these widgets: each is drawn afresh from the scenario on the next run."""
    versions = st.session_state[VERSIONS]
    for slot in slots:
        versions[slot] += 1
    stale = {f"{WIDGET_PREFIX}{versions[slot] - 1}:{slot}" for slot in slots}
    for key in [k for k in st.session_state if k in stale]:
        del st.session_state[key]


def set_scenario(new: Scenario, preset_name: str | None = None) -> None:
    """Replace the scenario (preset, upload, link, benchmark applied); every widget is redrawn.
    With `preset_name` it is a load (a preset or a file): later edits are counted from it."""
    st.session_state[SCENARIO] = new
    if preset_name is not None:
        st.session_state[PRESET], st.session_state[LOADED] = preset_name, new
    st.session_state[ERRORS], st.session_state[RANGE_NOTES] = {}, {}
    _forget_widgets(list(st.session_state[VERSIONS]))


def _reread(dotted: str, from_key: str | None) -> None:
    """Widgets showing `dotted`, except the one that changed it, take the scenario's value again."""
    keep = _slot(from_key) if from_key else None
    _forget_widgets([slot for slot in st.session_state[VERSIONS]
                     if slot.split(":", 1)[1] == dotted and slot != keep])


def change_field(dotted: str, value: Any, from_key: str | None = None,
                 also: dict[str, Any] | None = None) -> bool:
    """Apply one field's new value if the scenario stays valid and priceable; else record why.

    A field with an uncertainty range takes its range along (scaled like the value, within the
    field's bounds) and says so. Other widgets showing the same field (sidebar and Scenario
    page) re-read the new value. `also`: fields that change with it (a provider and its model).
    """
    errors, notes = st.session_state[ERRORS], st.session_state[RANGE_NOTES]
    old = scenario()
    changes = {dotted: value, **(also or {})}
    ranges = ranges_after_edit(old, dotted, value)
    if ranges is not None:
        changes[UNCERTAINTY] = {k: r.model_dump() for k, r in ranges.items()}
    try:
        new = updated(old, changes)
        cost_report(new)
    except (ScenarioError, PriceNotFound) as exc:
        errors[dotted] = in_words(exc, dotted)
        return False
    errors.pop(dotted, None)
    st.session_state[SCENARIO] = new
    _reread(dotted, from_key)
    for other in also or {}:
        _reread(other, None)
    if dotted == UNCERTAINTY:  # ranges typed in by hand: no moved-range notes stand
        notes.clear()
    if ranges is not None:
        notes[dotted] = f"range moved with the value: {amount(ranges[dotted].low)}–{amount(ranges[dotted].high)}"
        _reread(UNCERTAINTY, None)
    return True


def _by_field(scenario: Scenario) -> dict[str, Any]:
    """Each field's value by dotted name, each uncertainty range as its own entry."""
    data = scenario.model_dump(mode="json")
    ranges = data.pop(UNCERTAINTY)
    return leaves(data) | {f"{UNCERTAINTY}.{field}": span for field, span in ranges.items()}


def unsaved_changes() -> list[str]:
    """The fields changed since the scenario was loaded, by dotted name (a range that moved with
    its value's edit is part of that edit)."""
    before, now = _by_field(st.session_state[LOADED]), _by_field(scenario())
    changed = [name for name in dict.fromkeys([*before, *now]) if before.get(name) != now.get(name)]
    return [name for name in changed
            if not (name.startswith(f"{UNCERTAINTY}.") and name.removeprefix(f"{UNCERTAINTY}.") in changed)]


def loaded_name() -> str:
    """The name of the scenario as it was loaded (the preset's or the file's)."""
    return st.session_state[LOADED].name


def link_error() -> str | None:
    """Why the link this session was opened with could not be used (until dismissed)."""
    return st.session_state.get(LINK_ERROR)


def dismiss_link_error() -> None:
    st.session_state.pop(LINK_ERROR, None)


def sync_url() -> None:
    """Write the scenario into the query parameters, so the link reproduces the view."""
    wanted = scenario_to_params(scenario(), preset())
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)
