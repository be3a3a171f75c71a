"""`transformers serve` of the packaged model on 127.0.0.1: the real OpenAI-compatible server the endpoint
tests (tests/server_fixtures.py) and the prompt-search peer (tools/search_peer.py) talk to; and a counting
proxy in front of any such server, so two clients' calls are counted the same way."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

READY_POLLS, POLL_S = 240, 0.5  # two minutes for the server to answer /health


def free_port() -> int:
    """A port on 127.0.0.1 nothing listens on (at the moment it is asked)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def packaged_server(threads: int = 2) -> Iterator[dict]:
    """The packaged model served in float32 on the CPU, {"port", "url", "model"}; stopped on exit."""
    from benchmarks.models import packaged_model_dir

    folder, port = packaged_model_dir(), free_port()
    env = os.environ | {"OMP_NUM_THREADS": str(threads)}
    proc = subprocess.Popen([str(Path(sys.executable).parent / "transformers"), "serve", str(folder), "--host",
                             "127.0.0.1", "--port", str(port), "--device", "cpu", "--dtype", "float32"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        for _ in range(READY_POLLS):
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=2).request("GET", "/health")
                break
            except OSError:
                time.sleep(POLL_S)
        yield {"port": port, "url": f"http://127.0.0.1:{port}/v1", "model": str(folder)}
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class CountingProxy(ThreadingHTTPServer):
    """Forwards every request to `upstream` (an OpenAI-compatible base URL) and keeps each answered chat
    request with its reply in `exchanges`: the one count of calls and tokens two clients can share."""

    daemon_threads = True

    def __init__(self, upstream: str):
        super().__init__(("127.0.0.1", 0), _Forward)
        self.upstream = urlsplit(upstream.rstrip("/"))
        self.exchanges: list[tuple[dict, dict]] = []
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{self.upstream.path}"

    def sent(self, start: int, end: int | None = None) -> dict:
        """Calls, prompt and completion tokens (the replies' usage) of exchanges[start:end]."""
        replies = [reply.get("usage") or {} for _, reply in self.exchanges[start:end]]
        return {"calls": len(replies), "prompt_tokens": sum(u.get("prompt_tokens", 0) for u in replies),
                "completion_tokens": sum(u.get("completion_tokens", 0) for u in replies)}


class _Forward(BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass

    def _forward(self, body: bytes | None) -> None:
        proxy: CountingProxy = self.server
        connection = (http.client.HTTPSConnection if proxy.upstream.scheme == "https" else http.client.HTTPConnection)
        conn = connection(proxy.upstream.netloc, timeout=600)
        path = proxy.upstream.path + self.path.removeprefix(proxy.upstream.path)
        headers = {k: v for k, v in self.headers.items() if k.lower() in ("content-type", "authorization")}
        conn.request(self.command, path, body=body, headers=headers)
        response = conn.getresponse()
        reply = response.read()
        if body and response.status == 200 and self.path.endswith("/chat/completions"):
            with proxy.lock:
                proxy.exchanges.append((json.loads(body), json.loads(reply)))
        self.send_response(response.status)
        self.send_header("Content-Type", response.getheader("Content-Type", "application/json"))
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def do_GET(self) -> None:
        self._forward(None)

    def do_POST(self) -> None:
        self._forward(self.rfile.read(int(self.headers.get("Content-Length", 0))))


@contextmanager
def counting_proxy(upstream: str) -> Iterator[CountingProxy]:
    """A CountingProxy in front of `upstream`, serving in a thread until the block ends."""
    proxy = CountingProxy(upstream)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    try:
        yield proxy
    finally:
        proxy.shutdown()
        proxy.server_close()
