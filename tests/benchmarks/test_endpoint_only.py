"""A run whose every arm is an endpoint arm loads no local model (issue 15): with a model that does
not exist on disk, the run gets as far as the endpoint's preflight, and its loading step says why."""

from __future__ import annotations

import socket

import pytest

from benchmarks.config import BenchConfig
from benchmarks.endpoint.client import EndpointError


def test_endpoint_arms_alone_load_no_model(tmp_path, monkeypatch):
    from benchmarks.runner import run_benchmark

    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-sent")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{s.getsockname()[1]}/v1"  # closed once the socket is
    config = BenchConfig(model="/no/such/model/folder", quick=True, test_size=10, approaches=["zero_shot", "few_shot"],
                         endpoint_url=url, endpoint_model="served-model", input_usd_per_mtok=0.1,
                         output_usd_per_mtok=0.4, endpoint_retries=0)
    assert config.arms == [("zero_shot", "endpoint"), ("few_shot", "endpoint")]
    events = []
    with pytest.raises(EndpointError, match=rf"^cannot reach {url}"):  # not a missing-model error
        run_benchmark(config, tmp_path / "run", on_event=events.append)
    assert events[0].message == "loading task rotten_tomatoes (endpoint arms only: no local model)"
