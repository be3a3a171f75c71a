"""Background benchmark runs that several viewers (dashboard sessions, the CLI) can watch.

A run is a folder under the runs root: config.json (what to run), status.json (rewritten
atomically), events.jsonl (appended: one `benchmarks.events.ProgressEvent` per line), and the runner's
result.json / predictions.csv / run.log. One model run at a time per machine: a run waits for
a file lock and says "queued" meanwhile. A run whose process died (SIGKILL, power loss) is
found by the next start and marked failed; atomic writes mean it left no torn files.

A data-parallel run (launch.json, `benchmarks.launch.Launch`) queues the same way; its process
then starts the ranks through torchrun or `accelerate launch` and waits for them. Rank 0 appends the
events and keeps status.json's progress; this process records the outcome. Cancelling stops every
rank: the SIGTERM reaches the launcher (which stops its workers) and each rank also watches the
cancel file.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from filelock import FileLock
from pydantic import BaseModel, Field

from benchmarks.config import BenchConfig
from benchmarks.events import ProgressEvent, append_event, read_events
from benchmarks.launch import LAUNCH_FILE, RANKS_LOG, Launch, read_launch
from core.files import runs_dir, write_atomic

State = Literal["queued", "running", "complete", "failed", "cancelled"]
ACTIVE: tuple[str, ...] = ("queued", "running")
_CHILDREN: list[subprocess.Popen] = []  # spawned runs, polled so finished ones are reaped


class RunStatus(BaseModel):
    run_id: str
    run_dir: str
    state: State
    progress: float = Field(0.0, ge=0.0, le=1.0)
    stage: str = ""
    message: str = ""
    error: str | None = None
    result_path: str | None = None
    pid: int | None = None
    pid_started: float | None = Field(None, description="process create time, to tell a reused pid apart")
    created_at: str = ""
    updated_at: str = ""
    events: list[ProgressEvent] = Field(default_factory=list, description="from events.jsonl; filled by run_status")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def machine_lock() -> FileLock:
    """Held by the run that is using the model; others queue on it.

    In the system temp folder, not the cache root, so runs with different PROMPT_OR_TUNE_HOME
    values on one machine still take turns. Runs given different GPUs (CUDA_VISIBLE_DEVICES) hold
    different locks, so separate jobs (seeds, learning-curve sizes) run side by side, one per device.
    """
    visible = os.environ.get("CUDA_VISIBLE_DEVICES", "").strip()
    name = f"benchmark-cuda{visible.replace(',', '_')}.lock" if visible else "benchmark.lock"
    path = Path(tempfile.gettempdir()) / "prompt-or-tune" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    return FileLock(str(path))


def new_run_dir(root: str | Path | None = None) -> Path:
    """A fresh, unique run folder: UTC timestamp + random suffix, never reused."""
    root = Path(root) if root else runs_dir()
    root.mkdir(parents=True, exist_ok=True)
    while True:
        run_dir = root / f"{datetime.now(UTC):%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"
        try:
            run_dir.mkdir()
            return run_dir
        except FileExistsError:
            continue


def _write_status(run_dir: Path, status: RunStatus) -> None:
    status.updated_at = _now()
    write_atomic(run_dir / "status.json", status.model_dump_json(exclude={"events"}, indent=1))


def _read_status(run_dir: Path) -> RunStatus | None:
    try:
        return RunStatus.model_validate_json((run_dir / "status.json").read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None


def _append_event(run_dir: Path, event: ProgressEvent) -> None:
    event.time = time.time()
    append_event(run_dir / "events.jsonl", event)


def _read_events(run_dir: Path) -> list[ProgressEvent]:
    return read_events(run_dir / "events.jsonl")


def _alive(status: RunStatus) -> bool:
    import psutil

    if not status.pid:
        return False
    try:
        proc = psutil.Process(status.pid)
        if status.pid_started is not None and abs(proc.create_time() - status.pid_started) > 1:
            return False  # the pid now belongs to another process
        return proc.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _dead_message(status: RunStatus) -> str:
    return (f"incomplete run: its process ({status.pid}) ended during '{status.stage or status.state}' "
            "without finishing (killed?); partial results, if any, are in result.json")


def run_status(run_dir: str | Path, *, events: bool = True) -> RunStatus:
    """The run's state, progress and (unless `events` is False) events, read from its files
    (safe from any process)."""
    run_dir = Path(run_dir)
    status = _read_status(run_dir)
    if status is None:
        status = RunStatus(run_id=run_dir.name, run_dir=str(run_dir), state="failed",
                           message="no readable status.json in this folder")
    elif status.state in ACTIVE and status.pid and not _alive(status):
        status.state, status.error = "failed", _dead_message(status)
        status.message = status.error
    if events:
        status.events = _read_events(run_dir)
    return status


def _run_dirs(root: str | Path | None) -> list[Path]:
    """Run folders under `root` (default: the runs folder), newest first; other entries ignored."""
    root = Path(root) if root else runs_dir()
    if not root.is_dir():
        return []
    dirs = [d for d in root.iterdir() if d.is_dir() and (d / "status.json").exists()]
    return sorted(dirs, key=lambda d: d.name, reverse=True)


def list_runs(root: str | Path | None = None) -> list[RunStatus]:
    """Every run under `root` (default: the runs folder), newest first.

    Events are read for queued and running runs only (the live view polls this every second;
    reading every finished run's events made a poll cost ~0.1 s per 200 runs); `run_status`
    gives any one run's events.
    """
    statuses = []
    for run_dir in _run_dirs(root):
        status = run_status(run_dir, events=False)
        if status.state in ACTIVE:
            status.events = _read_events(run_dir)
        statuses.append(status)
    return statuses


def recover_incomplete(root: str | Path | None = None) -> list[str]:
    """Mark runs whose process is gone as failed (persisted); returns their ids."""
    found = []
    for d in _run_dirs(root):
        status = _read_status(d)
        if status and status.state in ACTIVE and status.pid and not _alive(status):
            status.state, status.error = "failed", _dead_message(status)
            status.message = status.error
            _write_status(d, status)
            _append_event(d, ProgressEvent(stage="failed", message=status.error))
            found.append(status.run_id)
    return found


def prepare_run(config: BenchConfig, root: str | Path | None = None, launch: Launch | None = None) -> Path:
    """Create the run folder with its config (and launch.json for a data-parallel run) and a 'queued' status."""
    run_dir = new_run_dir(root)
    write_atomic(run_dir / "config.json", config.model_dump_json(indent=1))
    if launch is not None and launch.distributed:
        write_atomic(run_dir / LAUNCH_FILE, launch.model_dump_json(indent=1))
    _write_status(run_dir, RunStatus(run_id=run_dir.name, run_dir=str(run_dir), state="queued",
                                     message="waiting to start", created_at=_now()))
    return run_dir


def start_run(config: BenchConfig, root: str | Path | None = None, launch: Launch | None = None,
              secret_env: Mapping[str, str] | None = None) -> Path:
    """Start a benchmark in a background process and return its folder at once.

    `secret_env` (variable -> value, e.g. an API key typed into the dashboard) reaches the child's
    environment only: never its command line or a file."""
    run_dir = prepare_run(config, root, launch)
    log = (run_dir / "process.log").open("ab")
    proc = subprocess.Popen(
        [sys.executable, "-m", "benchmarks", str(run_dir)], stdout=log, stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL, start_new_session=True, cwd=Path(__file__).resolve().parent.parent,
        env={**os.environ, **secret_env} if secret_env else None,
    )
    log.close()
    _set_pid(run_dir, proc.pid)
    _CHILDREN.append(proc)
    return run_dir


def _set_pid(run_dir: Path, pid: int) -> None:
    import psutil

    status = _read_status(run_dir)
    if status and status.pid is None:
        try:
            status.pid, status.pid_started = pid, psutil.Process(pid).create_time()
        except psutil.NoSuchProcess:
            status.pid = pid
        _write_status(run_dir, status)
    for child in list(_CHILDREN):
        if child.poll() is not None:
            _CHILDREN.remove(child)


def cancel_run(run_dir: str | Path) -> RunStatus:
    """Ask a queued or running benchmark to stop; it ends as 'cancelled'."""
    run_dir = Path(run_dir)
    (run_dir / "cancel").touch()
    status = run_status(run_dir)
    if status.state in ACTIVE and status.pid and _alive(status):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(status.pid, signal.SIGTERM)
    return status


class Cancelled(BaseException):
    """Raised by SIGTERM; a BaseException so no `except Exception` on the way swallows it."""


def _on_sigterm(signum, frame):
    raise Cancelled()


def _recorder(run_dir: Path, status: RunStatus, on_event=None):
    """What a run does with each event: append it to events.jsonl, keep status.json's progress (at
    most every 0.5 s, and at each approach's end), pass it on."""
    last_write = [0.0]

    def record(event: ProgressEvent) -> None:
        _append_event(run_dir, event)
        status.progress = status.progress if event.progress is None else event.progress
        status.stage, status.message = event.stage or status.stage, event.message or status.message
        if time.monotonic() - last_write[0] > 0.5 or event.metrics:
            _write_status(run_dir, status)
            last_write[0] = time.monotonic()
        if on_event:
            on_event(event)

    return record


def _last_line(path: Path) -> str:
    try:
        lines = [line for line in path.read_text(encoding="utf-8", errors="replace").splitlines() if line.strip()]
    except FileNotFoundError:
        return ""
    return lines[-1].strip()[:300] if lines else ""


def _run_ranks(run_dir: Path, launch: Launch, on_event=None):
    """Start this machine's ranks through the launcher, pass rank 0's events on while they run, and
    return the result rank 0 wrote; a launcher that fails raises with the ranks' last words."""
    from core.result import ResultError, load_result

    with (run_dir / RANKS_LOG).open("ab") as log:
        proc = subprocess.Popen(launch.command(run_dir), stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, env=launch.environment(),
                                cwd=Path(__file__).resolve().parent.parent)
    seen = len(_read_events(run_dir))
    try:
        while proc.poll() is None:
            time.sleep(0.5)
            if on_event:
                events = _read_events(run_dir)
                for event in events[seen:]:
                    on_event(event)
                seen = len(events)
    finally:
        if proc.poll() is None:  # this process was stopped: stop the ranks too
            proc.terminate()
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
    if (run_dir / "cancel").exists():
        raise Cancelled()
    if proc.returncode != 0:
        raise RuntimeError(f"a rank failed (launcher exit {proc.returncode}): {_last_line(run_dir / RANKS_LOG)}; "
                           f"see {RANKS_LOG}")
    try:
        return load_result(run_dir)
    except ResultError as exc:
        raise RuntimeError(f"the ranks ended without a result: {exc}; see {RANKS_LOG}") from exc


def execute_rank(run_dir: str | Path) -> int:
    """One rank of a data-parallel run (`python -m benchmarks.rank RUN_DIR`); the exit code.

    Rank 0 records the events and progress. The launching `execute` records the outcome; a run
    whose ranks were started without it (a SLURM job on a prepared folder) has no pid in its status,
    and rank 0 then records the outcome too.
    """
    import psutil

    from benchmarks.collectives import world
    from benchmarks.runner import run_benchmark

    run_dir = Path(run_dir)
    signal.signal(signal.SIGTERM, _on_sigterm)
    config = BenchConfig.model_validate_json((run_dir / "config.json").read_text(encoding="utf-8"))
    main = world().main
    status = _read_status(run_dir) or RunStatus(run_id=run_dir.name, run_dir=str(run_dir), state="queued")
    standalone = main and status.pid is None
    if standalone:
        status.state, status.pid, status.pid_started = "running", os.getpid(), psutil.Process().create_time()
    try:
        result = run_benchmark(config, run_dir, on_event=_recorder(run_dir, status) if main else None)
    except Cancelled:
        status.state, status.message = "cancelled", "cancelled by the user"
        result = None
    if standalone:
        if result is not None:
            status.state = "complete" if result.status != "failed" else "failed"
            status.progress, status.result_path, status.error = 1.0, str(run_dir / "result.json"), result.error
            status.message = f"{result.status}: {len(result.approaches)} approaches"
        _write_status(run_dir, status)
    return 0 if result is not None else 143


def execute(run_dir: str | Path, on_event=None) -> RunStatus:
    """Run a prepared folder in this process: queue on the machine lock, run, record the outcome."""
    import psutil

    from benchmarks.runner import run_benchmark

    run_dir = Path(run_dir)
    status = _read_status(run_dir) or RunStatus(run_id=run_dir.name, run_dir=str(run_dir), state="queued")
    status.pid, status.pid_started = os.getpid(), psutil.Process().create_time()
    _write_status(run_dir, status)

    signal.signal(signal.SIGTERM, _on_sigterm)
    record = _recorder(run_dir, status, on_event)
    try:
        config = BenchConfig.model_validate_json((run_dir / "config.json").read_text(encoding="utf-8"))
        for found in recover_incomplete(run_dir.parent):
            record(ProgressEvent(stage="queued",
                                 message=f"found an incomplete run {found} (its process died); marked it failed"))
        lock = machine_lock() if any(backend == "local" for _, backend in config.arms) else None
        while lock is not None:  # endpoint arms alone use no local model: nothing to queue behind
            try:
                lock.acquire(timeout=1)
                break
            except TimeoutError:
                if (run_dir / "cancel").exists():
                    raise Cancelled() from None
                if status.stage != "queued":
                    record(ProgressEvent(stage="queued", progress=0.0,
                                         message="queued: another benchmark is using the model"))
        try:
            status.state = "running"
            record(ProgressEvent(stage="starting", progress=0.0, message="starting"))
            launch = read_launch(run_dir)
            if launch.distributed:
                result = _run_ranks(run_dir, launch, on_event)
                status = _read_status(run_dir) or status  # rank 0 kept its progress there
            else:
                result = run_benchmark(config, run_dir, on_event=record)
        finally:
            if lock is not None:
                lock.release()
        status.state = "complete" if result.status != "failed" else "failed"
        status.progress, status.result_path = 1.0, str(run_dir / "result.json")
        status.error = result.error
        status.message = f"{result.status}: {len(result.approaches)} approaches"
    except Cancelled:
        status.state, status.message = "cancelled", "cancelled by the user"
    except Exception as exc:
        status.state, status.error = "failed", f"{exc.__class__.__name__}: {exc}"
        status.message = status.error
        _append_event(run_dir, ProgressEvent(stage="failed", message=status.error, traceback=traceback.format_exc()))
    _write_status(run_dir, status)
    return status
