"""Reports a decision maker can forward: HTML, PDF, Markdown and JSON from one scenario.

`render(scenario, results, fmt)` gives the bytes (the dashboard's download buttons);
`build` computes everything once when several formats are wanted.
"""

from __future__ import annotations

from collections.abc import Sequence

from benchmarks.result import BenchmarkResult
from calculator.scenario import Scenario
from reporting.document import ReportData, build
from reporting.html import render_html
from reporting.markdown import render_json, render_markdown
from reporting.pdf import Paper, render_pdf

FORMATS = ("html", "pdf", "md", "json")
MEDIA_TYPES = {"html": "text/html", "pdf": "application/pdf", "md": "text/markdown",
               "json": "application/json"}


def render_data(data: ReportData, fmt: str, paper: Paper = "A4") -> bytes:
    """One format of an already built report."""
    if fmt == "html":
        return render_html(data).encode("utf-8")
    if fmt == "pdf":
        return render_pdf(data, paper)
    if fmt == "md":
        return render_markdown(data).encode("utf-8")
    if fmt == "json":
        return render_json(data).encode("utf-8")
    raise ValueError(f"format {fmt!r}: one of {', '.join(FORMATS)}")


def render(scenario: Scenario, results: Sequence[BenchmarkResult] = (), fmt: str = "html",
           paper: Paper = "A4") -> bytes:
    """The report as bytes. Raises ScenarioError / PriceNotFound for a scenario that cannot be priced."""
    return render_data(build(scenario, results), fmt, paper)


__all__ = ["FORMATS", "MEDIA_TYPES", "ReportData", "build", "render", "render_data"]
