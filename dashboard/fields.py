"""Scenario inputs as widgets, built from the schema: label with unit, help with allowed range.

Every widget writes through `state.change_field`; a rejected value shows its message right
below the widget (field, value, allowed range) while the page goes on with the last good scenario.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import streamlit as st

from calculator.fields import field_bounds, field_help, field_label, field_unit, get_dotted
from calculator.prices import PriceNotFound
from calculator.recommend.wording import money
from core.metrics import METRICS
from dashboard import compute, state
from dashboard.text import allowed, dollars
from reporting.grid import number

SLIDERS = {"workload.horizon_months", "workload.monthly_growth_pct"}
Convert = Callable[[Any], Any]


def label_of(dotted: str) -> str:
    """The field's reader name with its unit: "Requests per month (requests/month)"; a fraction
    is shown and labelled as a percentage."""
    unit = ("%" if in_percent(dotted) else "0-1") if field_unit(dotted) == "fraction" else field_unit(dotted)
    return f"{field_label(dotted)} ({unit})" if unit else field_label(dotted)


def help_of(dotted: str) -> str:
    span = allowed(dotted)
    return f"{field_help(dotted)}{f' Allowed: {span}.' if span else ''} In scenario files: `{dotted}`."


def _on_change(key: str, dotted: str, convert: Convert | None) -> None:
    if key not in st.session_state:  # a widget of a scenario replaced in this same rerun
        return
    value = st.session_state[key]
    state.change_field(dotted, convert(value) if convert else value, from_key=key)


def callback(key: str, dotted: str, convert: Convert | None = None) -> dict[str, Any]:
    """Keyword arguments that wire a widget to the scenario field."""
    return {"key": key, "on_change": _on_change, "args": (key, dotted, convert)}


def show_error(dotted: str) -> None:
    message = state.field_error(dotted)
    if message:
        st.error(message, icon=":material/error:")


def _step(value: float | None, is_int: bool) -> float | int:
    if is_int:
        return 1
    if not value:
        return 0.01
    return 10.0 ** (math.floor(math.log10(abs(value))) - 1)


ON_THE_METRIC = ("quality.target", "quality.pass_threshold")  # fractions on the scenario's metric


def in_percent(dotted: str) -> bool:
    """A fraction shown as a percentage: every share, and a score on the metric when the metric is a share
    (accuracy, a pass rate); chrF and field F1 are written 0-1 like every other page writes them."""
    if dotted not in ON_THE_METRIC:
        return True
    metric = state.scenario().metric
    return metric not in METRICS or METRICS[metric].unit == "percent"


def number_field(dotted: str, place: str = "main", label: str | None = None) -> None:
    """A slider for fractions and the horizon/growth, else a number box (empty = not set)."""
    value = get_dotted(state.scenario(), dotted)
    key = state.widget_key(place, dotted)
    is_int = isinstance(value, int)
    common = {"label": label or label_of(dotted), "help": help_of(dotted), **callback(key, dotted)}
    bounds = field_bounds(dotted)
    if value is not None and (dotted in SLIDERS or field_unit(dotted) == "fraction"):
        low, high = bounds.low or 0.0, bounds.high or 1.0
        if is_int:
            st.slider(min_value=int(low), max_value=int(high), step=1,
                      **({} if key in st.session_state else {"value": value}), **common)
        else:
            st.slider(min_value=float(low), max_value=float(high), step=_step(high - low, False),
                      format=("percent" if in_percent(dotted) else "%.2f") if field_unit(dotted) == "fraction" else None,
                      **({} if key in st.session_state else {"value": float(value)}), **common)
    else:
        fmt = "%d" if is_int else ("%.0f" if value is not None and abs(value) >= 1000 else "%.4g")
        used = blank_value(dotted) if value is None else None
        st.number_input(step=_step(value, is_int), format=fmt, placeholder=used[0] if used else None,
                        **({} if key in st.session_state else {"value": value}), **common)
        if used:
            st.caption(dollars(f"Blank: {used[0]}, from {used[1]}."))
    show_error(dotted)
    if note := state.range_note(dotted):
        st.caption(note)


# An empty field whose value the calculator takes under another name: a text task's answer length
BLANK_FROM = {"task.output_tokens": "tokens.answer"}


def blank_value(dotted: str) -> tuple[str, str] | None:
    """What an empty field stands for and its source ("$2.50 per 1M tokens", "genai-prices … openai/gpt-4o")."""
    try:
        quantity = compute.cost_report(state.scenario()).inputs.quantities.get(BLANK_FROM.get(dotted, dotted))
    except PriceNotFound:
        return None
    if quantity is None:
        return None
    value, unit = float(quantity.value), quantity.unit
    amount = f"{money(value)} per {unit.removeprefix('USD/')}" if unit.startswith("USD/") else \
        f"{number(value)} {unit}".strip()
    return amount, quantity.source


def number_grid(fields: list[str], place: str = "main", columns: int = 3,
                labels: dict[str, str] | None = None) -> None:
    """The fields in `columns` columns; `labels`: a label of the page's own for some (else label_of)."""
    cols = st.columns(columns)
    for i, dotted in enumerate(fields):
        with cols[i % columns]:
            number_field(dotted, place, (labels or {}).get(dotted))


def choice_field(dotted: str, options: list[Any], label: str, help: str, place: str = "main",
                 format_func: Callable[[Any], str] = str) -> None:
    value = get_dotted(state.scenario(), dotted)
    if value not in options:
        options = [value, *options]
    key = state.widget_key(place, dotted)
    st.selectbox(label, options, format_func=format_func, help=help,
                 **({} if key in st.session_state else {"index": options.index(value)}),
                 **callback(key, dotted))
    show_error(dotted)


def text_field(dotted: str, label: str, help: str, area: bool = False, lines: bool = False,
               place: str = "main") -> None:
    """Free text; with `lines` the field is a list, one entry per line."""
    value = get_dotted(state.scenario(), dotted)
    shown = "\n".join(value) if lines else value
    key = state.widget_key(place, dotted)
    convert = _lines if lines else None
    widget = st.text_area if area or lines else st.text_input
    widget(label, help=help, **({} if key in st.session_state else {"value": shown}),
           **callback(key, dotted, convert))
    show_error(dotted)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]
