"""One report built once per session: a preset, a fake benchmark run, a hostile scenario name."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from calculator.scenario_io import apply_overrides, load_scenario
from reporting import build, render_data
from reporting.document import ReportData
from tests.dashboard.fake_result import fake_result
from tests.reporting.common import DRAWS, HOSTILE


@pytest.fixture(scope="session")
def report_data() -> ReportData:
    scenario = apply_overrides(load_scenario("support_intents"), [f"name={HOSTILE}"])
    return build(scenario, [fake_result()], draws=DRAWS, now=datetime(2026, 1, 1, tzinfo=UTC))


@pytest.fixture(scope="session")
def pdf_a4(report_data) -> bytes:
    return render_data(report_data, "pdf", "A4")
