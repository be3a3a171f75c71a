"""Device and dtype choice: a GPU asked for on a machine without one falls back to CPU and says so;
`auto` dtype is bfloat16 on a GPU and on CPUs whose bf16 matmul measures at least 1.5x float32's, float32
elsewhere (an AVX2 CPU, without bf16 instructions, decides without measuring)."""

from __future__ import annotations

import pytest
import torch

from benchmarks.models import (
    BF16_MIN_SPEEDUP,
    DtypeChoice,
    auto_dtype,
    choose_cpu_dtype,
    choose_dtype,
    cpu_bf16_instructions,
    resolve_device,
    resolve_dtype,
)


def test_cuda_request_without_gpu_falls_back_with_a_message(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert resolve_device("cuda") == ("cpu", "device cuda was asked for but no GPU is available: running on CPU")
    assert resolve_device("auto") == ("cpu", None)
    assert resolve_device("cpu") == ("cpu", None)


def test_auto_picks_cuda_when_present(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert resolve_device("auto") == ("cuda", None)


def test_the_rule_picks_bf16_only_where_its_measured_peak_is_clearly_faster():
    assert choose_cpu_dtype({"float32": 166e9, "bfloat16": 384e9})[0] == "bfloat16"  # issue 24's Zen 4 EPYC
    assert choose_cpu_dtype({"float32": 230e9, "bfloat16": 1.8e12})[0] == "bfloat16"  # an AMX Xeon
    assert choose_cpu_dtype({"float32": 100e9, "bfloat16": 100e9 * BF16_MIN_SPEEDUP})[0] == "bfloat16"
    assert choose_cpu_dtype({"float32": 166e9, "bfloat16": 200e9})[0] == "float32"  # faster, not by the margin
    assert choose_cpu_dtype({"float32": 150e9, "bfloat16": 0.9e9})[0] == "float32"  # emulated bf16
    assert choose_cpu_dtype({"float32": 150e9})[0] == "float32"  # bf16 not measured
    why = choose_cpu_dtype({"float32": 166e9, "bfloat16": 384e9})[1]
    assert "384.0 GFLOP/s against 166.0 for float32 (2.31x; auto picks bfloat16 from 1.5x)" in why


def test_auto_measures_both_peaks_only_where_the_cpu_has_bf16_instructions(monkeypatch):
    from benchmarks import environment

    assert choose_dtype("cuda", "auto").dtype == auto_dtype("cuda")[0] == "bfloat16"
    assert choose_dtype("cpu", "float32") == DtypeChoice("float32", "asked for (dtype float32)")
    peaks = {"float32": 166e9, "bfloat16": 384e9}
    monkeypatch.setattr(environment, "measure_cpu_peak", lambda dtype: peaks[dtype])
    monkeypatch.setattr(torch.cpu, "_is_amx_tile_supported", lambda: False)
    monkeypatch.setattr(torch.cpu, "_is_avx512_bf16_supported", lambda: True)  # a Zen 4 EPYC
    choice = choose_dtype("cpu", "auto")
    assert (choice.dtype, choice.peaks) == ("bfloat16", peaks) and "this CPU has avx512_bf16" in choice.reason
    assert choice.note.startswith("bfloat16 (auto: bf16 matmul measured 384.0 GFLOP/s against 166.0")
    assert "gradients and optimizer state float32" in choice.note and "--dtype float32" in choice.note
    peaks["bfloat16"] = 0.9e9  # instructions torch does not use: measured slow, so float32
    choice = choose_dtype("cpu", "auto")
    assert choice.dtype == "float32" and choice.peaks == peaks and choice.note.startswith("float32 (auto: bf16")

    def never(dtype):
        raise AssertionError("an AVX2 CPU pays no measurement")

    monkeypatch.setattr(environment, "measure_cpu_peak", never)
    monkeypatch.setattr(torch.cpu, "_is_avx512_bf16_supported", lambda: False)
    monkeypatch.delattr(torch.cpu, "_is_amx_tile_supported")  # an older torch without the probe
    choice = choose_dtype("cpu", "auto")
    assert (choice.dtype, choice.peaks, choice.note) == ("float32", {}, None)
    assert "no bf16 matrix instructions" in choice.reason and resolve_dtype("cpu", "auto") == ("float32", None)


def test_auto_on_this_cpu_follows_its_instructions_and_its_measured_peaks():
    """Nothing mocked: this CPU's flags, torch's probes and, where bf16 is native, its measured peaks.
    On the project's AVX2 EPYC: float32, decided without measuring; and the rule on its own measured
    peaks (small products: bf16 is emulated here, ~1.5 GFLOP/s) says float32 too."""
    import time

    from benchmarks.environment import claim_cores, cpu_info, measure_cpu_peak

    claim_cores()
    start = time.perf_counter()
    choice = choose_dtype("cpu", "auto")
    took = time.perf_counter() - start
    flags = set(cpu_info()[1])
    native = bool(flags & {"avx512_bf16", "amx_bf16"})
    assert bool(cpu_bf16_instructions()) == native or not flags  # torch's probes agree with /proc/cpuinfo
    if native:
        assert set(choice.peaks) == {"float32", "bfloat16"} and choice.dtype == choose_cpu_dtype(choice.peaks)[0]
    else:
        assert (choice.dtype, choice.peaks) == ("float32", {}) and took < 0.5
    measured = {dtype: measure_cpu_peak(dtype, size=512, seconds=0.2) for dtype in ("float32", "bfloat16")}
    if not native:
        assert choose_cpu_dtype(measured)[0] == "float32", measured


@pytest.mark.slow
def test_the_random_speed_stand_in_is_a_half_billion_llama_with_the_packaged_tokenizer():
    from benchmarks.models import load_model

    loaded, notes = load_model("random-llama-0.5b", "cpu", dtype="bfloat16")
    config = loaded.model.config
    assert 0.45e9 < loaded.info.parameters < 0.55e9  # a 0.5B-class model, as issue 6's MFU target asks
    assert (config.model_type, config.hidden_size, config.num_hidden_layers) == ("llama", 1280, 24)
    assert config.vocab_size == len(loaded.tokenizer) and loaded.info.dtype == "bfloat16"
    assert loaded.info.source.startswith("random weights") and any("speed figures only" in n for n in notes)
    ids = loaded.tokenizer("a wonderful, ghastly film", return_tensors="pt")
    with torch.inference_mode():
        logits = loaded.model(**ids).logits
    assert logits.shape == (1, ids.input_ids.shape[1], config.vocab_size) and torch.isfinite(logits).all()


@pytest.mark.slow
def test_the_packaged_size_stand_in_matches_the_packaged_model_but_its_weights(loaded):
    """random-smollm2-135m: the default benchmark's model shape (so its timings stand for it on a GPU
    that cannot receive the weights file), not its weights."""
    from benchmarks.models import load_model

    stand_in, notes = load_model("random-smollm2-135m", "cpu", dtype="float32")
    assert stand_in.info.parameters == loaded.info.parameters
    assert stand_in.model.config.to_dict()["num_hidden_layers"] == loaded.model.config.num_hidden_layers
    assert any("speed figures only" in n for n in notes)
    real, random = loaded.model.model.layers[0].mlp.up_proj.weight, stand_in.model.model.layers[0].mlp.up_proj.weight
    assert real.shape == random.shape and not torch.equal(real, random)
