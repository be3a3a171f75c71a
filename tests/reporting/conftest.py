"""One report built once per session: a preset, a fake benchmark run of an uploaded file (its server
path in the task source and a data note), a hostile scenario name."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from calculator.scenario_io import apply_overrides, load_scenario
from core.files import runs_dir
from reporting import build, render_data
from reporting.document import ReportData
from tests.fake_result import fake_result
from tests.reporting.common import DRAWS, HOSTILE, UPLOADED


@pytest.fixture(scope="session")
def report_data() -> ReportData:
    scenario = apply_overrides(load_scenario("support_intents"), [f"name={HOSTILE}"])
    result = fake_result()
    upload = runs_dir() / "uploads" / "0a1b2c3d4e5f" / UPLOADED
    result.task.source = f"uploaded file {upload}"
    result.notes.append(f"73 duplicated texts were removed from {upload}")
    return build(scenario, [result], draws=DRAWS, now=datetime(2026, 1, 1, tzinfo=UTC))


@pytest.fixture(scope="session")
def pdf_a4(report_data) -> bytes:
    return render_data(report_data, "pdf", "A4")
