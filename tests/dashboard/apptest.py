"""Helpers for AppTest runs of the dashboard."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "streamlit_app.py")
PAGES = {
    "decision": "dashboard/pages/decision.py",
    "costs": "dashboard/pages/costs.py",
    "scenario": "dashboard/pages/scenario.py",
    "tokens": "dashboard/pages/tokens.py",
    "benchmark": "dashboard/pages/benchmark.py",
}


def open_app(page: str = "decision", query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    if query:
        at.query_params.update(query)
    at.run()
    if page != "decision":
        at.switch_page(PAGES[page]).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metric(at: AppTest, label: str) -> str:
    """The value of the first metric whose label starts with `label`."""
    return next(m.value for m in at.metric if m.label.startswith(label))


def sidebar_answer(at: AppTest) -> str:
    """The approach the sidebar's answer names (a heading under "Answer"), unescaped."""
    return next(m.value for m in at.sidebar.markdown if m.value.startswith("#### ")).removeprefix("#### ").replace("\\", "")


def widget(at: AppTest, kind: str, key_end: str):
    """The widget whose key ends with the dotted field name (keys are f:<place>:<field>)."""
    return next(w for w in getattr(at, kind) if w.key and w.key.endswith(key_end))


def unfinished_runs(at: AppTest) -> pd.DataFrame:
    """The Benchmark page's table of runs that failed or were cancelled, unescaped, by run id."""
    frame = next(t.value for t in at.table if "why" in t.value)
    return frame.map(lambda cell: str(cell).replace("\\", "")).set_index("run")
