"""User text stays text everywhere it is shown: the page, the HTML report, the Markdown report.

Hostile strings go into every free-text field a user controls (scenario name, description,
labels, sample inputs); none may come out as live markup.
"""

from __future__ import annotations

import pytest
import yaml

from calculator.scenario_io import apply_overrides, load_scenario
from reporting import build, render_data
from tests.dashboard.apptest import open_app

SCRIPT = "<script>alert(1)</script>"
IMAGE = '<img src=x onerror="alert(2)">'


@pytest.fixture(scope="module")
def hostile_report():
    scenario = apply_overrides(load_scenario("internal_helpdesk"), [
        f"name={SCRIPT}",
        f"description={IMAGE}",
        f"task.labels=[urgent, '{SCRIPT}', low]",
        f"task.sample_inputs=['{IMAGE} printer broken']",
    ])
    return build(scenario, [], draws=500)


def test_html_report_has_no_live_user_markup(hostile_report):
    html = render_data(hostile_report, "html").decode("utf-8")
    assert SCRIPT not in html and IMAGE not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=" in html


def test_markdown_report_has_no_live_user_markup(hostile_report):
    markdown = render_data(hostile_report, "md").decode("utf-8")
    outside_yaml = markdown.split("```yaml")[0]  # the rerunnable scenario block is code, not HTML
    assert SCRIPT not in outside_yaml and IMAGE not in outside_yaml
    assert "&lt;script&gt;" in outside_yaml


def test_page_shows_uploaded_hostile_text_as_text():
    data = load_scenario("internal_helpdesk").model_dump(mode="json", exclude_unset=True)
    data["name"] = SCRIPT
    at = open_app("scenario")
    at.file_uploader[0].upload("hostile.yaml", yaml.safe_dump(data).encode()).run()
    assert not at.exception and not at.error
    shown = [c.value for c in at.sidebar.caption]
    assert any("script" in value and "alert" in value for value in shown)
    assert not any(SCRIPT in value for value in shown)  # escaped for Markdown, never raw HTML
