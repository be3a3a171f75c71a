"""One outline, three layouts: the HTML and Markdown show its sections, headings and tables in its order."""

from __future__ import annotations

import html
import re

from reporting import render_data
from reporting.outline import SCENARIO_BLOCK, outline
from reporting.tables import Table


def test_html_and_markdown_lay_out_the_outline_in_order(report_data):
    sections = outline(report_data)
    assert [s.key for s in sections] == ["question", "recommendation", "charts", "costs", "benchmarks",
                                         "assumptions", "scenario"]
    page = render_data(report_data, "html").decode("utf-8")
    md = render_data(report_data, "md").decode("utf-8")
    assert re.findall(r'<section id="([a-z]+)">', page) == [s.key for s in sections]
    assert re.findall(r"^## (.+)$", md, re.M) == [s.heading for s in sections]
    for section in sections:
        for block in section.blocks:
            if block.kind == "table":
                assert isinstance(block.table, Table)
                assert f'id="table-{block.table.key}"' in page
                assert f"**{html.escape(block.table.title, quote=False)}**" in md


def test_the_scenario_block_is_the_last_block_and_holds_the_yaml(report_data):
    last = outline(report_data)[-1].blocks[-1]
    assert last.kind == "code" and last.key == SCENARIO_BLOCK
    assert last.text == report_data.scenario_yaml
