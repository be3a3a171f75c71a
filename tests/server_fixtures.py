"""Shared by the tests that drive a real `transformers serve` (tests/benchmarks/test_endpoint_server.py,
tests/dashboard/test_browser_endpoint.py): a free local port and the server fixture."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest


def free_port() -> int:
    """A port on 127.0.0.1 nothing listens on (at the moment it is asked)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    """`transformers serve` pinned to the packaged model (float32, CPU), stopped after the module."""
    from benchmarks.models import packaged_model_dir

    folder, port = packaged_model_dir(), free_port()
    env = os.environ | {"OMP_NUM_THREADS": "2"}
    proc = subprocess.Popen([str(Path(sys.executable).parent / "transformers"), "serve", str(folder), "--host",
                             "127.0.0.1", "--port", str(port), "--device", "cpu", "--dtype", "float32"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        for _ in range(240):
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=2).request("GET", "/health")
                break
            except OSError:
                time.sleep(0.5)
        yield {"port": port, "model": str(folder)}
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
