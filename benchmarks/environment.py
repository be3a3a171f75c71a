"""The machine a run measured on (device, GPU name and its peak bf16 FLOP/s for MFU, cores, versions)."""

from __future__ import annotations

import math
import os
import platform
import sys
import time
from pathlib import Path

from benchmarks.result import Environment

BUSY_LOAD = 0.5  # other processes' load (runnable threads, 1-minute average) worth a note


def peak_bf16_flops(gpu_name: str | None) -> float | None:
    """Dense bf16 FLOP/s of the GPU torch names, from the price table (data/gpu_prices.yaml); None when
    the table has no row for it (MFU is then left blank)."""
    if not gpu_name:
        return None
    from calculator.prices import gpu_for_device

    row = gpu_for_device(gpu_name)
    return row.peak_bf16_tflops * 1e12 if row else None


# The CPU flags that decide the matmul kernels (and so the peak): AVX2/FMA, AVX-512, AMX.
VECTOR_FLAGS = ("fma", "avx2", "avx512f", "avx512_bf16", "amx_tile", "amx_bf16")
PEAK_MATMUL_SIZE = 2048  # one 2048³ product is 17 GFLOP: ~0.1 s at 150 GFLOP/s, big enough for full tiles
EMULATED_FLOPS = 5e9  # below this a 512³ product runs no vector kernel (bf16 without AMX): measure it small


def cpu_info() -> tuple[str | None, list[str]]:
    """(model name, the VECTOR_FLAGS it has) from /proc/cpuinfo; (None, []) where there is none."""
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8")
    except OSError:
        return None, []
    fields = dict(line.split(":", 1) for line in text.splitlines()[:40] if ":" in line)
    fields = {k.strip(): v.strip() for k, v in fields.items()}
    flags = set(fields.get("flags", "").split())
    return fields.get("model name"), [f for f in VECTOR_FLAGS if f in flags]


def machine_class(device: str, gpu_name: str | None, flags: list[str]) -> str:
    """The class a perf result is filed under: cuda-<gpu model> (cuda-h100), cpu-amx, cpu-avx512, cpu-avx2, cpu."""
    if device == "cuda":
        from calculator.prices import gpu_for_device

        row = gpu_for_device(gpu_name or "")
        model = row.name.split()[0] if row else (gpu_name or "gpu").split()[-1]
        return f"cuda-{model.lower()}"
    for flag, name in (("amx_bf16", "amx"), ("avx512f", "avx512"), ("avx2", "avx2")):
        if flag in flags:
            return f"cpu-{name}"
    return "cpu"


def measure_cpu_peak(dtype: str = "float32", size: int = PEAK_MATMUL_SIZE, seconds: float = 1.0) -> float:
    """FLOP/s of the fastest of repeated `size`³ matmuls in `dtype` on torch's current threads.

    The fastest repeat, not the mean: on a shared machine a neighbour only slows repeats down, so the
    best one is the closest to what the hardware gives this process. A dtype the CPU only emulates
    (bf16 without AMX runs at about 1 GFLOP/s) is measured on a 512³ product, so the measurement
    stays about `seconds` long.
    """
    import torch

    probe = torch.ones(512, 512, dtype=getattr(torch, dtype))
    torch.mm(probe, probe)
    t0 = time.perf_counter()
    torch.mm(probe, probe)
    if 2 * 512**3 / (time.perf_counter() - t0) < EMULATED_FLOPS:
        size = 512
    a, b = (torch.randn(size, size).to(getattr(torch, dtype)) for _ in range(2))
    torch.mm(a, b)  # warm-up: kernel selection, first-touch memory
    best, start = float("inf"), time.perf_counter()
    while time.perf_counter() - start < seconds or best == float("inf"):
        t0 = time.perf_counter()
        torch.mm(a, b)
        best = min(best, time.perf_counter() - t0)
    return 2 * size**3 / best


def usable_cores() -> int:
    """The CPU cores this process may run on (its affinity mask: what a container, cgroup cpuset or
    taskset granted), not the machine's count."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # no affinity call on this OS
        return os.cpu_count() or 1


def claim_cores() -> int:
    """torch's intra-op threads set to the cores this process may use (more threads than cores only
    fight each other); returns that count."""
    import torch

    cores = usable_cores()
    torch.set_num_threads(cores)
    return cores


def others_load(load_1min: float, cpu_seconds: float, age_s: float) -> float:
    """The 1-minute load average less this process's own share of it.

    The kernel's average decays with a 60 s time constant, so a process that kept k threads busy
    for its t seconds adds about k·(1 − e^(−t/60)); k is estimated as its CPU seconds over t.
    """
    busy = cpu_seconds / max(age_s, 1e-9)
    return max(0.0, load_1min - busy * (1 - math.exp(-age_s / 60)))


def busy_machine_note(cores: int) -> str | None:
    """A note for the result when other processes already keep the CPU busy as the run starts."""
    import psutil

    try:
        load = os.getloadavg()[0]
    except OSError:  # no load average on this OS
        return None
    me = psutil.Process()
    times = me.cpu_times()
    others = others_load(load, times.user + times.system, time.time() - me.create_time())
    if others < BUSY_LOAD:
        return None
    return (f"the machine was busy when this run started: 1-minute load average {load:.2f}, about {others:.1f} "
            f"of it from other processes, on the {cores} of {os.cpu_count()} CPU cores this run may use; its "
            "timings are slower than this machine idle")


def describe(device: str, dtype: str | None = None) -> Environment:
    """The machine; with `dtype` on CPU its peak is measured (a ~1 s matmul in that dtype) so MFU has a yardstick."""
    import peft
    import torch
    import transformers

    gpu = torch.cuda.get_device_name() if device == "cuda" else None
    model, flags = cpu_info()
    if gpu:
        peak, basis = peak_bf16_flops(gpu), "spec sheet dense bf16 (data/gpu_prices.yaml)"
    elif device == "cpu" and dtype:
        peak = measure_cpu_peak(dtype)
        basis = (f"measured: fastest {PEAK_MATMUL_SIZE}³ {dtype} matmul on {torch.get_num_threads()} threads "
                 "(a busy machine lowers it)")
    else:
        peak, basis = None, None
    return Environment(
        device=device, gpu_name=gpu, peak_bf16_flops=peak_bf16_flops(gpu), peak_flops=peak, peak_basis=basis,
        machine_class=machine_class(device, gpu, flags), cpu_model=model, cpu_flags=flags,
        cpu_count=os.cpu_count() or 1,
        cores=usable_cores(), python_version=sys.version.split()[0], platform=platform.platform(),
        torch_version=torch.__version__, transformers_version=transformers.__version__,
        peft_version=peft.__version__,
    )
