"""Device choice: a GPU asked for on a machine without one falls back to CPU and says so."""

from __future__ import annotations

import torch

from benchmarks.models import resolve_device


def test_cuda_request_without_gpu_falls_back_with_a_message(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert resolve_device("cuda") == ("cpu", "device cuda was asked for but no GPU is available: running on CPU")
    assert resolve_device("auto") == ("cpu", None)
    assert resolve_device("cpu") == ("cpu", None)


def test_auto_picks_cuda_when_present(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert resolve_device("auto") == ("cuda", None)
