"""The machine a run measured on (device, GPU name and its peak bf16 FLOP/s for MFU, cores, versions)."""

from __future__ import annotations

import math
import os
import platform
import sys
import time

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


def describe(device: str) -> Environment:
    import peft
    import torch
    import transformers

    gpu = torch.cuda.get_device_name() if device == "cuda" else None
    return Environment(
        device=device, gpu_name=gpu, peak_bf16_flops=peak_bf16_flops(gpu), cpu_count=os.cpu_count() or 1,
        cores=usable_cores(), python_version=sys.version.split()[0], platform=platform.platform(),
        torch_version=torch.__version__, transformers_version=transformers.__version__,
        peft_version=peft.__version__,
    )
