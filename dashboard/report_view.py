"""The report to forward, from the Decision page: built once per scenario and benchmark run,
each format rendered only when its button is clicked (the PDF draws its charts in-process, no browser)."""

from __future__ import annotations

import json
import re
from functools import partial

import streamlit as st

import reporting
from calculator.scenario import Scenario
from calculator.scenario_io import scenario_from_mapping
from dashboard import runs
from dashboard.compute import scenario_key
from dashboard.text import escape_md

LABELS = {"html": "HTML (interactive)", "pdf": "PDF (A4)", "md": "Markdown", "json": "JSON (every figure)"}
HELP = {"html": "One self-contained file with interactive charts.",
        "pdf": "Static charts, prints on A4; takes a few seconds to prepare after the click.",
        "md": "Tables and words; the scenario file to rerun it is the last, folded block.",
        "json": "Every figure of the report as data, with the scenario."}


def run_ids(scenario: Scenario) -> tuple[str, ...]:
    """The benchmark run the scenario's measured inputs came from (none when typed in)."""
    return (scenario.measured.run_id,) if scenario.measured and scenario.measured.run_id else ()


@st.cache_data(max_entries=8, show_spinner=False)
def _report_data(key: str, ids: tuple[str, ...]) -> reporting.ReportData:
    results, _ = runs.finished_runs()
    return reporting.build(scenario_from_mapping(json.loads(key)), [results[i] for i in ids if i in results])


@st.cache_data(max_entries=16, show_spinner=False)
def _report_bytes(key: str, ids: tuple[str, ...], fmt: str) -> bytes:
    return reporting.render_data(_report_data(key, ids), fmt)


def report_bytes(scenario: Scenario, fmt: str) -> bytes:
    """The report in one format (html, pdf, md, json), as the download button serves it."""
    return _report_bytes(scenario_key(scenario), run_ids(scenario), fmt)


def file_name(scenario: Scenario, fmt: str) -> str:
    """A file name from the scenario's name, with only safe characters."""
    stem = re.sub(r"[^A-Za-z0-9]+", "-", scenario.name).strip("-")[:60] or "scenario"
    return f"prompt-or-tune-{stem}.{fmt}"


def render(scenario: Scenario) -> None:
    st.subheader("Report to forward")
    st.caption("The question, the recommendation and its reasons, every chart, the costs with their "
               "sources, the benchmark run, and the scenario in brief with its file attached to rerun it.")
    missing = [i for i in run_ids(scenario) if i not in runs.finished_runs()[0]]
    if missing:
        st.info(f"Benchmark run {escape_md(missing[0])} is not in the runs folder: the report uses its "
                "measured numbers from the scenario but cannot show the run's environment.")
    for col, fmt in zip(st.columns(len(reporting.FORMATS)), reporting.FORMATS, strict=True):
        col.download_button(LABELS[fmt], data=partial(report_bytes, scenario, fmt),
                            file_name=file_name(scenario, fmt), mime=reporting.MEDIA_TYPES[fmt],
                            help=HELP[fmt], key=f"report:{fmt}", on_click="ignore",
                            icon=":material/download:", width="stretch")
