"""Take the scenario back out of a report, so that loading it reproduces the report's numbers."""

from __future__ import annotations

import base64
import json
import re

from calculator.scenario import Scenario
from calculator.scenario_io import ScenarioError, parse_scenario_text, scenario_from_mapping
from reporting.markdown import SCENARIO_MARK

HTML_BLOCK = re.compile(r'<a id="scenario-yaml"[^>]* href="data:[^;"]+;base64,([A-Za-z0-9+/=]*)"')
MD_BLOCK = re.compile(re.escape(SCENARIO_MARK) + r"\n(`{3,})yaml\n(.*?)\n\1", re.S)


def extract_scenario(report: str | bytes, fmt: str) -> Scenario:
    """The scenario embedded in an HTML, Markdown or JSON report (PDF: `pdfdetach -saveall`)."""
    content = report.decode("utf-8") if isinstance(report, bytes) else report
    if fmt == "json":
        return scenario_from_mapping(json.loads(content)["scenario"])
    if fmt == "html":
        found = HTML_BLOCK.search(content)
        yaml_text = base64.b64decode(found.group(1)).decode("utf-8") if found else None
    elif fmt == "md":
        found = MD_BLOCK.search(content)
        yaml_text = found.group(2) if found else None
    else:
        raise ScenarioError(f"--format {fmt}: the scenario is read back from html, md or json reports")
    if yaml_text is None:
        raise ScenarioError(f"no scenario block found in this {fmt} report")
    return parse_scenario_text(yaml_text)
