"""Shared by the tests that drive a real `transformers serve` (tests/benchmarks/test_endpoint_server.py,
tests/dashboard/test_browser_endpoint.py): a free local port and the server fixture (tools/served.py)."""

from __future__ import annotations

import pytest

from tools.served import free_port, packaged_server

__all__ = ["free_port", "server"]


@pytest.fixture(scope="module")
def server():
    """`transformers serve` pinned to the packaged model (float32, CPU), stopped after the module."""
    with packaged_server() as served:
        yield served
