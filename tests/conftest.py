"""Test-wide settings (offline tiktoken encodings, runs in a temporary folder) and shared fixtures:
the packaged model, converted once into the regular cache, and benchmark configs small enough for CI."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

# fixtures of the tests that start servers: `server` (transformers serve), `app_url` and `browser`
pytest_plugins = ["tests.server_fixtures", "tests.dashboard.browser_fixtures"]

REPO = Path(__file__).resolve().parent.parent
SHARED_TIKTOKEN = REPO.parent / "shared" / "tiktoken_cache"

if SHARED_TIKTOKEN.is_dir():
    os.environ.setdefault("TIKTOKEN_CACHE_DIR", str(SHARED_TIKTOKEN))

# The session's own temporary folder, its child processes' too: the benchmark runs tests start take turns
# on a machine lock kept there (benchmarks.jobs.machine_lock), so they queue behind each other only, not
# behind a benchmark another checkout on this machine runs (minutes each: up to 140 s per test was seen).
os.environ["TMPDIR"] = tempfile.tempdir = tempfile.mkdtemp(prefix="pot-test-tmp-")

# Benchmark runs started by tests land here, not in the user's runs/ folder; the converted model is
# cached in the checkout's .cache/, not the user's data folder.
os.environ.setdefault("PROMPT_OR_TUNE_RUNS", tempfile.mkdtemp(prefix="pot-test-runs-"))
os.environ.setdefault("PROMPT_OR_TUNE_HOME", str(REPO / ".cache"))


@pytest.fixture(scope="session")
def loaded():
    """The packaged model in float32, where the fast paths must match the plain ones to rounding."""
    from benchmarks.models import load_model

    model, _ = load_model(device="cpu", dtype="float32")
    return model


@pytest.fixture
def runs_root(tmp_path, monkeypatch):
    root = tmp_path / "runs"
    monkeypatch.setenv("PROMPT_OR_TUNE_RUNS", str(root))
    return root


@pytest.fixture
def tiny_config():
    """Factory for a run small enough for CI: a handful of test examples, a few training steps."""
    return make_tiny_config


def make_tiny_config(**overrides):
    from benchmarks.config import BenchConfig

    fields = dict(test_size=16, val_size=8, train_size=32, train_epochs=0.5, learning_curve=[], consistency=False,
                  eval_batch_size=8, train_batch_size=8, k=2, max_new_tokens=8, max_seq_len=192, chat_template="off")
    fields.update(overrides)
    return BenchConfig(**fields)
