"""Where the tool keeps its files, and how it writes them (atomically, never torn).

Neutral ground: calculator/, benchmarks/, reporting/, dashboard/ and the CLI all use it, and it
imports none of them. Shipped files (price tables, presets, the report template) are package
data of `prompt_or_tune_data` (the repository's data/ folder); what the tool writes (runs, the
converted model) goes to a per-user folder, never next to the installed code.
"""

from __future__ import annotations

import os
import tempfile
from importlib import resources
from pathlib import Path

import platformdirs

DATA_PACKAGE = "prompt_or_tune_data"
APP_NAME = "prompt-or-tune"


def data_path(*parts: str) -> Path:
    """A file or folder shipped with the package, e.g. `data_path("scenarios")`.

    A real path (pip installs packages as files), so YAML readers, globbing and jinja2's
    FileSystemLoader work on it unchanged in the editable checkout and in an installed wheel.
    """
    root = resources.files(DATA_PACKAGE)
    if not isinstance(root, Path):
        raise RuntimeError(f"{DATA_PACKAGE} is not installed as plain files ({root!r})")
    return root.joinpath(*parts)


def home_dir() -> Path:
    """Everything the tool writes: PROMPT_OR_TUNE_HOME, else the per-user data folder."""
    root = os.environ.get("PROMPT_OR_TUNE_HOME")
    return Path(root) if root else platformdirs.user_data_path(APP_NAME, appauthor=False)


def runs_dir() -> Path:
    """Benchmark runs: PROMPT_OR_TUNE_RUNS (runs only), else `runs/` under home_dir()."""
    root = os.environ.get("PROMPT_OR_TUNE_RUNS")
    return Path(root) if root else home_dir() / "runs"


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
