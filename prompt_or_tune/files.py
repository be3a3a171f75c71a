"""Where the tool keeps its files, and how it writes them (atomically, never torn)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"


def home_dir() -> Path:
    """Runs, cached models and saved scenarios live here; PROMPT_OR_TUNE_HOME overrides."""
    root = os.environ.get("PROMPT_OR_TUNE_HOME")
    return Path(root) if root else PROJECT_ROOT / ".cache"


def runs_dir() -> Path:
    return Path(os.environ.get("PROMPT_OR_TUNE_RUNS", PROJECT_ROOT / "runs"))


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(path: str | Path, data: str | bytes) -> None:
    """Write so that readers see the old file or the whole new one, never a torn one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # mkstemp makes 0600; a saved report is meant to be shared
        with os.fdopen(fd, "wb") as handle:
            handle.write(data.encode("utf-8") if isinstance(data, str) else data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
