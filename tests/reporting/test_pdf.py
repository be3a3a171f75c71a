"""The PDF rendered to PNG pages with pdftoppm: sections present, charts drawn, A4 and Letter."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from reporting import render_data
from reporting.charts import APPROACH_COLORS

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftoppm") is None or shutil.which("pdftotext") is None,
    reason="pdftoppm/pdftotext (poppler-utils) not installed; `make test` installs them as root")
SECTIONS = ("1. The question", "2. Recommendation", "3. Charts", "4. Costs with their sources",
            "5. Benchmark results and their environment", "6. Assumptions and price tables",
            "7. The scenario, to rerun this report")


def pages(pdf: bytes, folder: Path) -> list[Path]:
    path = folder / "report.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(path), str(folder / "page")], check=True)
    return sorted(folder.glob("page-*.png"))


def page_texts(pdf: bytes, folder: Path) -> list[str]:
    path = folder / "report.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout
    return text.split("\f")


def has_chart_colors(png: Path) -> bool:
    """Text and tables are grey; a drawn chart has pixels near the approaches' colors."""
    pixels = np.asarray(Image.open(png).convert("RGB"), dtype=float).reshape(-1, 1, 3)
    wanted = np.array([[int(c[i:i + 2], 16) for i in (1, 3, 5)] for c in APPROACH_COLORS.values()])
    near = np.linalg.norm(pixels - wanted[None], axis=2).min(axis=1) < 40
    return int(near.sum()) > 300


@needs_poppler
def test_pdf_pages_have_every_section_in_order(pdf_a4, tmp_path, report_data):
    images = pages(pdf_a4, tmp_path)
    texts = page_texts(pdf_a4, tmp_path)
    assert len(images) >= 6
    assert all(Image.open(p).getbbox() for p in images)  # no blank page
    flat = " ".join(" ".join(t.split()) for t in texts)
    positions = [flat.find(section) for section in SECTIONS]
    assert -1 not in positions and positions == sorted(positions)
    assert "<script>alert(1)</script>" in flat  # shown as text, as typed
    assert " ".join(report_data.recommendation.headline.split()[:6]) in flat


@needs_poppler
def test_pdf_charts_are_drawn_or_the_gap_is_said(pdf_a4, tmp_path):
    images = pages(pdf_a4, tmp_path)
    flat = " ".join(page_texts(pdf_a4, tmp_path))
    if "static charts unavailable" in flat:
        pytest.skip("no browser for kaleido here: the PDF says so in place of the charts")
    assert sum(has_chart_colors(p) for p in images) >= 3


@needs_poppler
def test_letter_paper(report_data, tmp_path, monkeypatch):
    monkeypatch.setattr("reporting.pdf.to_pngs", lambda figs: (dict.fromkeys(figs), "skipped in test"))
    pdf = render_data(report_data, "pdf", "Letter")
    path = tmp_path / "letter.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    assert "612 x 792 pts (letter)" in info
