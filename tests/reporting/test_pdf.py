"""The PDF rendered to PNG pages with pdftoppm: sections present, charts drawn, A4 and Letter."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
from PIL import Image

from reporting import render_data
from reporting.charts import APPROACH_COLORS
from reporting.document import figures
from reporting.static import UNAVAILABLE
from tests.reporting.common import POPPLER, needs_poppler, pdf_text

SECTIONS = ("1. The question", "2. Recommendation", "3. Charts", "4. Costs with their sources",
            "5. Benchmark results and their environment", "6. Assumptions and price tables",
            "7. The scenario, to rerun this report")


def pages(pdf: bytes, folder: Path) -> list[Path]:
    """The PDF written to folder/report.pdf, and its pages as PNG files."""
    path = folder / "report.pdf"
    path.write_bytes(pdf)
    subprocess.run([POPPLER["pdftoppm"], "-r", "40", "-png", str(path), str(folder / "page")], check=True)
    return sorted(folder.glob("page-*.png"))


def has_chart_colors(png: Path) -> bool:
    """Text and tables are grey; a drawn chart has pixels near the approaches' colors."""
    pixels = np.asarray(Image.open(png).convert("RGB"), dtype=float).reshape(-1, 1, 3)
    wanted = np.array([[int(c[i:i + 2], 16) for i in (1, 3, 5)] for c in APPROACH_COLORS.values()])
    near = np.linalg.norm(pixels - wanted[None], axis=2).min(axis=1) < 40
    return int(near.sum()) > 300


@needs_poppler
def test_pdf_pages_have_every_section_in_order(pdf_a4, tmp_path, report_data):
    images = pages(pdf_a4, tmp_path)
    flat = pdf_text(tmp_path / "report.pdf")
    assert len(images) >= 6
    assert all(Image.open(p).getbbox() for p in images)  # no blank page
    positions = [flat.find(section) for section in SECTIONS]
    assert -1 not in positions and positions == sorted(positions)
    assert "<script>alert(1)</script>" in flat  # shown as text, as typed
    assert " ".join(report_data.recommendation.headline.split()[:6]) in flat


@needs_poppler
def test_pdf_charts_are_drawn(pdf_a4, tmp_path):
    images = pages(pdf_a4, tmp_path)
    assert UNAVAILABLE not in pdf_text(tmp_path / "report.pdf")
    assert sum(has_chart_colors(p) for p in images) >= 3


@needs_poppler
def test_letter_paper_and_a_chart_not_drawn_says_why_in_its_place(report_data, tmp_path, monkeypatch):
    monkeypatch.setattr("reporting.pdf.to_png", lambda figure: (None, "not drawn in this test"))
    pdf = render_data(report_data, "pdf", "Letter")
    path = tmp_path / "letter.pdf"
    path.write_bytes(pdf)
    info = subprocess.run([POPPLER["pdfinfo"], str(path)], check=True, capture_output=True, text=True).stdout
    assert "612 x 792 pts (letter)" in info
    flat = pdf_text(path)
    charts = figures(report_data)
    assert flat.count("not drawn in this test") == len(charts)
    for chart in charts:  # each reason under its chart's title
        assert f"{' '.join(chart.title.split())} not drawn in this test" in flat
