"""The machine a run measured on (device, GPU name and its peak bf16 FLOP/s for MFU, versions)."""

from __future__ import annotations

import os
import platform
import sys

from benchmarks.result import Environment

# Dense bf16 tensor-core peaks (vendor datasheets, no sparsity).
PEAK_BF16_FLOPS = {
    "H200": 989e12,
    "H100": 989e12,
    "A100": 312e12,
    "L40S": 362e12,
    "A10G": 70e12,
    "L4": 121e12,
    "RTX 4090": 165e12,
}


def peak_bf16_flops(gpu_name: str | None) -> float | None:
    if not gpu_name:
        return None
    return next((peak for key, peak in PEAK_BF16_FLOPS.items() if key in gpu_name), None)


def describe(device: str) -> Environment:
    import peft
    import torch
    import transformers

    gpu = torch.cuda.get_device_name() if device == "cuda" else None
    return Environment(
        device=device, gpu_name=gpu, peak_bf16_flops=peak_bf16_flops(gpu), cpu_count=os.cpu_count() or 1,
        python_version=sys.version.split()[0], platform=platform.platform(),
        torch_version=torch.__version__, transformers_version=transformers.__version__,
        peft_version=peft.__version__,
    )
