"""Atomic writes: whole file or the old one, never a temporary left behind, shareable modes."""

from __future__ import annotations

import os
import stat

import pytest

from prompt_or_tune.files import write_atomic


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
