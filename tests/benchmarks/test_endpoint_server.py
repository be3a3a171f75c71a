"""Endpoint arms against a real server: `transformers serve` with the packaged model on 127.0.0.1,
behind a counting, fault-injecting proxy written here (429 with Retry-After, a 500, a timeout)."""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest

from benchmarks.config import BenchConfig
from benchmarks.endpoint.arm import chat_prompts, label_request, open_session, run_arm
from benchmarks.endpoint.cache import ResponseCache
from benchmarks.endpoint.client import EndpointError
from benchmarks.tasks import load_task
from tests.server_fixtures import free_port as _free_port

pytestmark = [pytest.mark.slow, pytest.mark.server]
CANARY = "sk-canary-7f3e9d1c0b5a4e2f"
CLIENT_TIMEOUT_S = 120.0  # one request took over 30 s at load average 7.5 on 2 shared cores


class Proxy(ThreadingHTTPServer):
    """Forwards to the server; counts chat requests and keeps each (request body, reply) in `exchanges`;
    `faults` are served first, one per request."""

    daemon_threads = True

    def __init__(self, upstream: int, key: str | None = None):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.upstream, self.key, self.faults, self.forwarded, self.lock = upstream, key, [], 0, threading.Lock()
        self.exchanges: list[tuple[dict, dict]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def _reply(self, status: int, body: bytes, headers: dict | None = None) -> None:
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _forward(self, method: str, body: bytes | None = None) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.server.upstream, timeout=600)
        conn.request(method, self.path, body=body, headers={"Content-Type": "application/json"})
        resp = conn.getresponse()
        reply = resp.read()
        if body is not None and resp.status == 200:
            with self.server.lock:
                self.server.exchanges.append((json.loads(body), json.loads(reply)))
        self._reply(resp.status, reply, {"Content-Type": "application/json"})

    def do_GET(self):
        self._forward("GET")

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        proxy: Proxy = self.server
        if proxy.key and self.headers.get("Authorization") != f"Bearer {proxy.key}":
            return self._reply(401, b'{"error": {"message": "Incorrect API key provided"}}')
        with proxy.lock:
            fault = proxy.faults.pop(0) if proxy.faults else None
        if fault == "429":
            return self._reply(429, b'{"error": {"message": "rate limited"}}', {"Retry-After": "1"})
        if fault == "500":
            return self._reply(500, b'{"error": {"message": "boom"}}')
        if fault == "timeout":
            time.sleep(CLIENT_TIMEOUT_S + 2)
            return None
        with proxy.lock:
            proxy.forwarded += 1
        self._forward("POST", body)


@pytest.fixture
def proxy(server):
    p = Proxy(server["port"])
    threading.Thread(target=p.serve_forever, daemon=True).start()
    yield p
    p.shutdown()


def _config(proxy: Proxy, server: dict, **extra) -> BenchConfig:
    fields = {"test_size": 60, "approaches": ["zero_shot"], "endpoint_timeout_s": CLIENT_TIMEOUT_S, "concurrency": 1}
    return BenchConfig(quick=True, endpoint_url=proxy.url, endpoint_model=server["model"], **fields | extra)


@pytest.fixture
def key(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", CANARY)


def test_endpoint_zero_shot_matches_local_generation(server, proxy, key, tmp_path, monkeypatch, loaded):
    """60 test examples through the server; the same chat prompts greedy-generated locally agree."""
    from benchmarks.endpoint.arm import parse_answer
    from benchmarks.generation import generate

    monkeypatch.setenv("PROMPT_OR_TUNE_HOME", str(tmp_path))
    config = _config(proxy, server)
    task = load_task(config)
    session = open_session(config, task.verbalizers)
    template, prompts = chat_prompts(task, "zero_shot")
    out = run_arm(session, prompts, label_request(session, task.verbalizers, template.answer_cue, config.answer_max_tokens))
    assert len(out.records) == len(task.test) >= 60 and out.sent == proxy.forwarded - 1  # the preflight
    endpoint_acc = np.mean([r.pred == task.test[r.index].label for r in out.records])
    assert all(r.usage.input > 0 and r.usage.output > 0 and r.usd is None for r in out.records)

    tok = loaded.tokenizer
    ids = [tok.apply_chat_template([{"role": "user", "content": p}], add_generation_prompt=True, tokenize=True,
                                   return_dict=False) for p in prompts]
    prefix = os.path.commonprefix(ids)  # the chat header and instruction, computed once
    generated = generate(loaded.model, tok.pad_token_id, prefix, [p[len(prefix):] for p in ids], config.answer_max_tokens)
    local = [tok.decode(g, skip_special_tokens=True) for g in generated]
    local_acc = np.mean([parse_answer(t, task.verbalizers, template.answer_cue) == e.label
                         for t, e in zip(local, task.test, strict=True)])
    assert abs(endpoint_acc - local_acc) <= 0.05, (endpoint_acc, local_acc)
    assert endpoint_acc > 0.6  # SmolLM2-135M on Rotten Tomatoes chat prompts: well above chance


def test_faults_are_ridden_out_and_a_killed_run_resends_only_what_it_lacks(server, proxy, key, tmp_path, monkeypatch):
    monkeypatch.setenv("PROMPT_OR_TUNE_HOME", str(tmp_path))
    config = _config(proxy, server)
    task = load_task(config)
    task.test = task.test[:10]
    template, prompts = chat_prompts(task, "zero_shot")
    # killed: a child process answers part of the split, then dies by SIGKILL
    child = subprocess.Popen([sys.executable, "-c", (
        "import sys, json; from benchmarks.config import BenchConfig; from benchmarks.endpoint.arm import *;"
        "c = BenchConfig.model_validate_json(sys.argv[1]); s = open_session(c, json.loads(sys.argv[2]));"
        "run_arm(s, json.loads(sys.argv[3]), label_request(s, json.loads(sys.argv[2]), 'x', c.answer_max_tokens))"),
        config.model_copy(update={"concurrency": 1}).model_dump_json(), json.dumps(task.verbalizers),
        json.dumps(prompts)], env=os.environ.copy())
    while len(list(Path(tmp_path, "endpoint_cache").rglob("*.json"))) < 4:
        assert child.poll() is None, "the child finished before it was killed"
        time.sleep(0.2)
    child.kill()
    child.wait()
    answered = len(list(ResponseCache().root.rglob("*.json")))
    session = open_session(config, task.verbalizers)  # the preflight is never cached
    before = proxy.forwarded
    proxy.faults = ["429", "429", "500", "timeout"]
    asked = label_request(session, task.verbalizers, template.answer_cue, config.answer_max_tokens)
    out = run_arm(session, prompts, asked)
    assert len(out.records) == 10 and not proxy.faults  # every fault was met, nothing lost
    assert out.sent == 10 - answered and proxy.forwarded - before == out.sent
    assert sum(r.cached for r in out.records) == answered and out.retries == 4
    again = run_arm(session, prompts, asked)
    assert again.sent == 0 and [r.pred for r in again.records] == [r.pred for r in out.records]


def test_max_usd_stops_with_a_valid_partial_result_and_the_key_is_in_no_file(server, proxy, key, tmp_path, monkeypatch):
    from benchmarks.runner import run_benchmark
    from core.result import load_result

    monkeypatch.setenv("PROMPT_OR_TUNE_HOME", str(tmp_path / "home"))
    config = _config(proxy, server, test_size=10, chat_template="on", input_usd_per_mtok=1000.0,
                     output_usd_per_mtok=1000.0, max_usd=0.5)
    result = run_benchmark(config, tmp_path / "run")
    row = load_result(tmp_path / "run").approach("zero_shot", "endpoint")
    assert result.status == "partial" and row.endpoint.stopped == "max_usd"
    assert 0 < row.n_test < 10 and row.endpoint.usd_sent <= 0.5
    assert row.endpoint.usd_per_request == pytest.approx(
        (row.endpoint.input_tokens + row.endpoint.output_tokens) * 1000 / 1e6)  # $1000/1M both ways
    assert (row.backend, row.model, row.endpoint_host) == ("endpoint", server["model"], proxy.url.split("/")[2])
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert any(p.name == "predictions.csv" for p in written) and any(p.suffix == ".json" for p in written)
    assert not [p for p in written if CANARY in p.read_text(encoding="utf-8", errors="replace")]


def test_wrong_key_model_or_url_is_one_line_before_any_example(server, key, monkeypatch, tmp_path):
    monkeypatch.setenv("PROMPT_OR_TUNE_HOME", str(tmp_path))
    guarded = Proxy(server["port"], key="sk-the-right-one")
    threading.Thread(target=guarded.serve_forever, daemon=True).start()
    try:
        labels = ["negative", "positive"]
        with pytest.raises(EndpointError, match=r"key in OPENAI_API_KEY was refused \(401\)"):
            open_session(_config(guarded, server), labels)
        monkeypatch.setenv("OPENAI_API_KEY", "sk-the-right-one")
        with pytest.raises(EndpointError, match=r"model 'no-such-model' is not served; it serves: "):
            open_session(_config(guarded, server).model_copy(update={"endpoint_model": "no-such-model"}), labels)
        assert guarded.forwarded == 1  # only the wrong-model preflight reached the server
        closed = f"http://127.0.0.1:{_free_port()}/v1"
        with pytest.raises(EndpointError, match=r"^cannot reach http://127\.0\.0\.1:\d+/v1: .*--endpoint"):
            open_session(_config(guarded, server).model_copy(update={"endpoint_url": closed}), labels)
    finally:
        guarded.shutdown()
