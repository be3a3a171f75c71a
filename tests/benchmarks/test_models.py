"""Device and dtype choice: a GPU asked for on a machine without one falls back to CPU and says so;
`auto` dtype is bfloat16 where matrix units run it natively, float32 elsewhere."""

from __future__ import annotations

import torch

from benchmarks.models import auto_dtype, resolve_device


def test_cuda_request_without_gpu_falls_back_with_a_message(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert resolve_device("cuda") == ("cpu", "device cuda was asked for but no GPU is available: running on CPU")
    assert resolve_device("auto") == ("cpu", None)
    assert resolve_device("cpu") == ("cpu", None)


def test_auto_picks_cuda_when_present(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert resolve_device("auto") == ("cuda", None)


def test_auto_dtype_follows_the_hardware(monkeypatch):
    assert auto_dtype("cuda") == ("bfloat16", None)
    monkeypatch.setattr(torch.cpu, "_is_amx_tile_supported", lambda: True)
    monkeypatch.setattr(torch.cpu, "_is_avx512_bf16_supported", lambda: True)
    dtype, note = auto_dtype("cpu")
    assert dtype == "bfloat16" and "AMX" in note and "--dtype float32" in note
    monkeypatch.setattr(torch.cpu, "_is_amx_tile_supported", lambda: False)
    assert auto_dtype("cpu") == ("float32", None)
    monkeypatch.delattr(torch.cpu, "_is_amx_tile_supported")  # an older torch without the probe
    assert auto_dtype("cpu") == ("float32", None)
