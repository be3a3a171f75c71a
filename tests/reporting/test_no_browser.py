"""Issue 24: the PDF report, charts and all, on a machine with no browser, within EXPORT_LIMIT_S.

The real CLI in a subprocess whose PATH holds only the virtual environment's bin, with an empty HOME
and no BROWSER_PATH: nothing in it can find Chrome or Chromium (kaleido's export hung there)."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

import reporting
from calculator.scenario_io import load_preset
from reporting.document import figures
from reporting.static import PNG_SCALE, PNG_WIDTH, UNAVAILABLE, height_of
from tests.reporting.common import (
    EXPORT_LIMIT_S,
    VENV_BIN,
    browserless_env,
    needs_poppler,
    pdf_images,
    pdf_pages,
    pdf_text,
)


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> tuple[subprocess.CompletedProcess, float, Path]:
    folder = tmp_path_factory.mktemp("no-browser")
    out = folder / "r.pdf"
    started = time.monotonic()
    try:
        done = subprocess.run([str(VENV_BIN / "prompt-or-tune"), "report", "support_intents", "--format", "pdf",
                               "--out", str(out)], env=browserless_env(folder / "home"), cwd=folder,
                              capture_output=True, text=True, timeout=EXPORT_LIMIT_S)
    except subprocess.TimeoutExpired:
        pytest.fail(f"the PDF export was still running after {EXPORT_LIMIT_S} s")
    return done, time.monotonic() - started, out


def test_the_cli_exports_the_pdf_without_a_browser_in_time(exported):
    done, took, out = exported
    assert done.returncode == 0, done.stderr
    assert took < EXPORT_LIMIT_S
    assert out.read_bytes().startswith(b"%PDF-")
    assert f"wrote {out}" in done.stdout


@needs_poppler
def test_the_exported_pdf_has_every_chart_as_an_image(exported):
    _, _, out = exported
    charts = figures(reporting.build(load_preset("support_intents")))  # what the CLI drew, drawn again
    assert pdf_pages(out) > 1
    images = pdf_images(out)
    assert [(w, h) for _, w, h in images] == [(PNG_WIDTH * PNG_SCALE, height_of(c.figure) * PNG_SCALE)
                                              for c in charts]
    assert min(page for page, _, _ in images) > 1  # after the question and the recommendation
    text = pdf_text(out)
    assert UNAVAILABLE not in text and "static charts unavailable" not in text
    for chart in charts:
        assert " ".join(chart.title.split()) in text

