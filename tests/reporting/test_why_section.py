"""The report's "Why" as the Decision page has it: the three strongest reasons first, the rest under
"More reasons" (folded in the HTML, a sub-heading in the Markdown and the PDF), in the order of
Recommendation.top_reasons, which the page shows first. A real preset, rendered in every format."""

from __future__ import annotations

import re

import pytest
from markupsafe import escape

from calculator.scenario_io import load_preset
from dashboard.decision_view import _bullets
from reporting import build, render_data
from reporting.markdown import text
from reporting.outline import More, outline
from tests.dashboard.apptest import open_app
from tests.reporting.common import needs_poppler, pdf_text


@pytest.fixture(scope="module")
def data():
    return build(load_preset("support_intents"))  # the page's draws: the chance-cheapest sentence alike


def test_the_strongest_three_come_first_as_on_the_decision_page(data):
    rec = data.recommendation
    blocks = next(s for s in outline(data) if s.key == "recommendation").blocks
    kinds = [b.kind for b in blocks[:4]]
    assert kinds == ["paragraph", "subheading", "bullets", "more"] and blocks[1].text == "Why"
    assert blocks[2].items == rec.top_reasons == rec.reasons[:3]
    assert blocks[3] == More("More reasons", rec.reasons[3:]) and len(rec.reasons) > 3
    page = open_app("decision")  # the same preset: the page's first bullets are the report's
    assert page.markdown[0].value == _bullets(blocks[2].items)


def test_html_folds_the_rest_in_a_details_block(data):
    rec = data.recommendation
    html = render_data(data, "html").decode()
    why = html[html.index("<h3>Why</h3>"):html.index("</details>") + len("</details>")]
    top, more = why.split('<details class="more">')
    assert re.findall(r"<li>(.*?)</li>", top) == [str(escape(r)) for r in rec.top_reasons]
    assert more.startswith(f"<summary>More reasons ({len(rec.reasons) - 3})</summary>")
    assert re.findall(r"<li>(.*?)</li>", more) == [str(escape(r)) for r in rec.reasons[3:]]


def test_markdown_puts_the_rest_under_a_sub_heading(data):
    rec = data.recommendation
    lines = render_data(data, "md").decode().splitlines()
    start = lines.index("### Why")
    end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("### "))
    assert [line for line in lines[start + 1:end] if line] == [
        *(f"- {text(r)}" for r in rec.top_reasons), "#### More reasons", *(f"- {text(r)}" for r in rec.reasons[3:])]


@needs_poppler
def test_pdf_prints_more_reasons_between_the_third_and_the_fourth(data, tmp_path):
    rec = data.recommendation
    path = tmp_path / "report.pdf"
    path.write_bytes(render_data(data, "pdf"))
    flat = pdf_text(path)
    where = [flat.index(" ".join(r.split())[:50]) for r in rec.reasons[:5]]
    assert where == sorted(where)
    assert where[2] < flat.index("More reasons") < where[3]
    assert flat.count("More reasons") == 1
