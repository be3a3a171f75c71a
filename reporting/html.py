"""The HTML report: one self-contained file, interactive charts with plotly.js inlined."""

from __future__ import annotations

import base64
from functools import cache

import jinja2
import plotly.io as pio
from markupsafe import Markup
from plotly.offline import get_plotlyjs

from core.files import data_path
from core.version import __version__
from reporting.document import ReportData
from reporting.outline import outline

TEMPLATES = data_path("report_templates")
VERDICT_COLORS = {"recommend": "#1a7f37", "provisional": "#bf8700", "constrained": "#cf222e",
                  "undecided": "#bf8700", "none_meets": "#cf222e"}


YAML_TYPE = "application/yaml"  # the scenario's download link: data:<type>;base64,<the YAML>


def base64_text(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             undefined=jinja2.StrictUndefined)
    env.filters["base64"] = base64_text
    return env


def chart_html(figure, key: str) -> Markup:
    """A plotly div; plotly writes its JSON with '<' escaped, so user text cannot close the script."""
    return Markup(pio.to_html(figure, full_html=False, include_plotlyjs=False, div_id=f"plot-{key}",
                              config={"displaylogo": False, "responsive": True}))


def render_html(data: ReportData) -> str:
    sections = outline(data)
    drawn = {c.key: chart_html(c.figure, c.key) for section in sections for b in section.blocks
             if b.kind == "charts" for c in b.charts}
    return environment().get_template("report.html.j2").render(
        version=__version__,
        scenario=data.scenario,
        verdict_color=VERDICT_COLORS[data.recommendation.verdict],
        outline=sections,
        chart_html=drawn,
        generated_at=data.generated_at,
        plotly_js=Markup(get_plotlyjs()),
        yaml_type=YAML_TYPE,
    )
