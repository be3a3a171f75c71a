"""What watching a run costs: the Streamlit server's CPU while one headless Chromium tab shows a
run in progress on the Benchmark page.

The run is simulated (a process that writes a running status and a training step event every
half second, as a LoRA run does), so the figure is the dashboard's cost alone, not the model's.

    python -m tools.dashboard_cpu [--seconds 60] [--chromium /usr/bin/chromium]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
STEP_SECONDS = 0.5


def fake_run(run_dir: Path, seconds: float) -> None:
    """Be the run in `run_dir` for `seconds`: a running status with this pid, a training event per step."""
    from benchmarks import jobs
    from benchmarks.events import ProgressEvent

    status = jobs.run_status(run_dir, events=False)
    status.state, status.pid, status.pid_started = "running", os.getpid(), psutil.Process().create_time()
    jobs._write_status(run_dir, status)
    steps = int(seconds / STEP_SECONDS)
    for step in range(1, steps + 1):
        event = ProgressEvent(stage="lora", approach="lora", substage="training on 512 examples", done=step,
                              total=steps, approach_progress=step / steps, progress=0.2 + 0.7 * step / steps,
                              loss=2.0 / step ** 0.5, message=f"lora: training {step}/{steps}")
        jobs._append_event(run_dir, event)
        status.progress, status.message = event.progress, event.message
        jobs._write_status(run_dir, status)
        time.sleep(STEP_SECONDS)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def measure(seconds: float, chromium: str, warmup: float = 20.0) -> dict:
    """CPU seconds the Streamlit server used per wall second while the tab watched (after `warmup`)."""
    from benchmarks import jobs
    from benchmarks.config import BenchConfig

    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "PROMPT_OR_TUNE_RUNS": tmp}
        run_dir = jobs.prepare_run(BenchConfig(quick=True), tmp)
        writer = subprocess.Popen([sys.executable, "-c", f"from tools.dashboard_cpu import fake_run; "
                                   f"fake_run(__import__('pathlib').Path({str(run_dir)!r}), {seconds + warmup + 30})"],
                                  cwd=ROOT, env=env)
        port = _free_port()
        server = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.port",
                                   str(port), "--server.headless", "true"], cwd=ROOT, env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        browser = None
        try:
            for _ in range(120):
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1)
                    break
                except OSError:
                    time.sleep(0.5)
            profile = Path(tmp) / "chromium"
            browser = subprocess.Popen([chromium, "--headless=new", "--no-sandbox", "--disable-gpu",
                                        f"--user-data-dir={profile}", f"http://127.0.0.1:{port}/benchmark"],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(warmup)
            proc = psutil.Process(server.pid)
            before, t0 = proc.cpu_times(), time.perf_counter()
            time.sleep(seconds)
            after, wall = proc.cpu_times(), time.perf_counter() - t0
        finally:
            for p in (browser, server, writer):
                if p:
                    p.terminate()
                    p.wait(timeout=30)
    cpu = (after.user + after.system) - (before.user + before.system)
    return {"server_cpu_share": cpu / wall, "cpu_seconds": cpu, "wall_seconds": wall, "load_1min": os.getloadavg()[0]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.dashboard_cpu", description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args(argv)
    print(json.dumps(measure(args.seconds, args.chromium), indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
