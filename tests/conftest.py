"""Test-wide settings: offline tiktoken encodings, and runs written to a temporary folder."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED_TIKTOKEN = REPO.parent / "shared" / "tiktoken_cache"

if SHARED_TIKTOKEN.is_dir():
    os.environ.setdefault("TIKTOKEN_CACHE_DIR", str(SHARED_TIKTOKEN))

# Benchmark runs started by tests land here, not in the user's runs/ folder.
os.environ.setdefault("PROMPT_OR_TUNE_RUNS", tempfile.mkdtemp(prefix="pot-test-runs-"))
