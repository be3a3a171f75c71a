"""The on-disk response cache: a request already answered is never sent (or paid for) again.

Keyed by a hash of the endpoint, the model and the request body (never the key), one JSON file
per answer written atomically, so a run killed mid-way leaves only whole answers behind.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from core.files import home_dir, write_atomic


def default_cache_dir() -> Path:
    return home_dir() / "endpoint_cache"


def request_key(base_url: str, model: str, body: dict) -> str:
    """sha256 of the endpoint, model and body, in a canonical JSON form (key order does not matter)."""
    canonical = json.dumps({"endpoint": base_url.rstrip("/"), "model": model, "body": body},
                           sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class ResponseCache:
    """Answers by request key: `{"response": <chat completion as JSON>, "latency_s": <first measurement>}`."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = Path(root) if root else default_cache_dir()

    def path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict | None:
        try:
            return json.loads(self.path(key).read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError):
            return None

    def put(self, key: str, record: dict) -> None:
        write_atomic(self.path(key), json.dumps(record, ensure_ascii=False))
