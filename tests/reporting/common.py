"""Constants and helpers the report tests share: an environment with no browser in it, and the PDF
read back with poppler."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HOSTILE = "<script>alert(1)</script>"  # a scenario name that must show as text
DRAWS = 2_000
UPLOADED = "tickets.csv"  # the file name of the fake run's uploaded task (stored under the runs folder)

EXPORT_LIMIT_S = 60  # a PDF export, charts and all, on a machine with no browser
VENV_BIN = Path(sys.executable).parent
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
PASSED_ON = ("TIKTOKEN_CACHE_DIR", "PROMPT_OR_TUNE_HOME", "PROMPT_OR_TUNE_RUNS", "TMPDIR")  # what the CLI reads
# found once, on the PATH the tests start with (a test may then leave only the venv's bin on it)
POPPLER = {name: shutil.which(name) for name in ("pdfinfo", "pdfimages", "pdftotext", "pdftoppm")}
HAS_POPPLER = all(POPPLER.values())
needs_poppler = pytest.mark.skipif(
    not HAS_POPPLER,
    reason="pdfinfo/pdfimages/pdftotext/pdftoppm (poppler-utils) not installed; `make test` installs them as root")


def browserless_env(home: Path) -> dict[str, str]:
    """An environment in which no browser can be found: PATH holds only the virtual environment's bin,
    HOME an empty folder, no BROWSER_PATH; the variables the CLI reads are passed on."""
    home.mkdir(parents=True, exist_ok=True)
    env = {name: os.environ[name] for name in PASSED_ON if name in os.environ}
    env.update(PATH=str(VENV_BIN), HOME=str(home))
    found = [shutil.which(name, path=env["PATH"]) for name in BROWSERS]
    assert not any(found), found
    return env


def no_browser(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    """This process's environment as browserless_env's."""
    for name, value in browserless_env(home).items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("BROWSER_PATH", raising=False)


def pdf_pages(path: Path) -> int:
    info = subprocess.run([POPPLER["pdfinfo"], str(path)], check=True, capture_output=True, text=True).stdout
    return int(next(line.split()[1] for line in info.splitlines() if line.startswith("Pages:")))


def pdf_images(path: Path) -> list[tuple[int, int, int]]:
    """(page, width, height) of each image in the PDF, from `pdfimages -list`."""
    listing = subprocess.run([POPPLER["pdfimages"], "-list", str(path)], check=True, capture_output=True,
                             text=True).stdout.splitlines()[2:]  # under the header and its rule
    return [(int(row[0]), int(row[3]), int(row[4])) for row in map(str.split, listing)]


def pdf_page_texts(path: Path) -> list[str]:
    """Each page's text (pdftotext's layout), in page order."""
    return subprocess.run([POPPLER["pdftotext"], "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout.split("\f")


def pdf_text(path: Path) -> str:
    return " ".join(" ".join(pdf_page_texts(path)).split())
