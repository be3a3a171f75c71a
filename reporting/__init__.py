"""Reports a decision maker can forward: HTML, PDF, Markdown and JSON from one scenario.

`render(scenario, results, fmt)` gives the bytes (the dashboard's download buttons);
`build` computes everything once when several formats are wanted. The writers (plotly, fpdf)
are imported only when a report is built, so the CLI's other commands stay light.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from calculator.scenario import Scenario
    from core.result import BenchmarkResult
    from reporting.document import ReportData

FORMATS = ("html", "pdf", "md", "json")
MEDIA_TYPES = {"html": "text/html", "pdf": "application/pdf", "md": "text/markdown",
               "json": "application/json"}
Paper = Literal["A4", "Letter"]
PAPERS: dict[str, Paper] = {"a4": "A4", "letter": "Letter"}


def render_data(data: ReportData, fmt: str, paper: Paper = "A4") -> bytes:
    """One format of an already built report."""
    if fmt == "html":
        from reporting.html import render_html

        return render_html(data).encode("utf-8")
    if fmt == "pdf":
        from reporting.pdf import render_pdf

        return render_pdf(data, paper)
    if fmt == "md":
        from reporting.markdown import render_markdown

        return render_markdown(data).encode("utf-8")
    if fmt == "json":
        from reporting.markdown import render_json

        return render_json(data).encode("utf-8")
    raise ValueError(f"format {fmt!r}: one of {', '.join(FORMATS)}")


def render(scenario: Scenario, results: Sequence[BenchmarkResult] = (), fmt: str = "html",
           paper: Paper = "A4") -> bytes:
    """The report as bytes. Raises ScenarioError / PriceNotFound for a scenario that cannot be priced."""
    from reporting.document import build

    return render_data(build(scenario, results), fmt, paper)


def __getattr__(name: str) -> Any:
    """`reporting.build` and `reporting.ReportData`, loaded (with plotly) on first use."""
    if name in ("ReportData", "build"):
        from reporting import document

        return getattr(document, name)
    raise AttributeError(f"module 'reporting' has no attribute {name!r}")


__all__ = ["FORMATS", "MEDIA_TYPES", "PAPERS", "Paper", "ReportData", "build", "render", "render_data"]
