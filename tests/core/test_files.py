"""Where the tool's files are: shipped data read as package data, what it writes in the per-user
folder or where the two variables say; atomic writes: whole file or the old one, shareable modes."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
import yaml

from core.files import data_path, home_dir, runs_dir, write_atomic


def test_write_atomic_replaces_whole_file_with_umask_mode(tmp_path):
    target = tmp_path / "sub" / "report.html"
    write_atomic(target, "old")
    write_atomic(target, b"new bytes")
    assert target.read_bytes() == b"new bytes"
    assert list(target.parent.iterdir()) == [target]
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~mask


def test_failed_write_keeps_old_file(tmp_path):
    target = tmp_path / "scenario.yaml"
    write_atomic(target, "kept")
    with pytest.raises(TypeError):
        write_atomic(target, 12345)  # not text or bytes
    assert target.read_text() == "kept"
    assert list(tmp_path.iterdir()) == [target]


def test_home_and_runs_follow_the_two_variables(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))  # platformdirs' per-user root on Linux
    monkeypatch.delenv("PROMPT_OR_TUNE_HOME", raising=False)
    monkeypatch.delenv("PROMPT_OR_TUNE_RUNS", raising=False)
    assert home_dir() == tmp_path / "xdg" / "prompt-or-tune"
    assert runs_dir() == tmp_path / "xdg" / "prompt-or-tune" / "runs"
    monkeypatch.setenv("PROMPT_OR_TUNE_HOME", str(tmp_path / "home"))
    assert (home_dir(), runs_dir()) == (tmp_path / "home", tmp_path / "home" / "runs")
    monkeypatch.setenv("PROMPT_OR_TUNE_RUNS", str(tmp_path / "elsewhere"))
    assert (home_dir(), runs_dir()) == (tmp_path / "home", tmp_path / "elsewhere")


def test_shipped_data_is_read_from_the_data_package():
    import prompt_or_tune_data

    root = Path(prompt_or_tune_data.__file__).parent
    assert data_path() == root
    gpus = yaml.safe_load(data_path("gpu_prices.yaml").read_text(encoding="utf-8"))["gpus"]
    assert gpus and all(row["usd_per_hour"] > 0 for row in gpus)
    assert {"support_intents.yaml", "internal_helpdesk.yaml", "contract_review.yaml"} <= {
        p.name for p in data_path("scenarios").glob("*.yaml")}
    assert data_path("report_templates", "report.html.j2").is_file()
