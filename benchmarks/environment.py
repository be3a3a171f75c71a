"""The machine a run measured on (device, GPU name and its peak bf16 FLOP/s for MFU, cores, versions)."""

from __future__ import annotations

import os
import platform
import sys
import time
from pathlib import Path

from core.result import Environment

BUSY_CORES = 0.5  # other processes' CPU use (cores' worth, during the run's start) worth a note


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


class NeighbourCpu:
    """How many of this run's cores other processes keep busy, measured over a window of the run's
    own start (the model load), not read from the load average: the kernel's 1-minute average still
    carries a run that ended a minute ago, so it named idle machines busy after each run.

    CPU time used on this process's cores during the window, less this job's own (this process,
    and under a launcher its sibling ranks), per wall second: 1.0 is one core kept busy.
    """

    def __init__(self) -> None:
        import psutil

        self._cores = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
        self._job = [psutil.Process()]
        if int(os.environ.get("WORLD_SIZE", "1")) > 1:  # the other ranks of this run are not neighbours
            parent = self._job[0].parent()
            self._job += [p for p in (parent.children() if parent else []) if p.pid != self._job[0].pid]
        self._start = time.perf_counter(), self._busy_seconds(), self._job_seconds()

    def _busy_seconds(self) -> float:
        import psutil

        per_cpu = psutil.cpu_times(percpu=True)
        mine = [per_cpu[i] for i in self._cores if i < len(per_cpu)] if self._cores else per_cpu
        return sum(t.user + t.nice + t.system + getattr(t, "irq", 0.0) + getattr(t, "softirq", 0.0) for t in mine)

    def _job_seconds(self) -> float:
        import psutil

        total = 0.0
        for proc in self._job:
            try:
                times = proc.cpu_times()
                total += times.user + times.system
            except psutil.Error:  # a rank that already exited
                continue
        return total

    def cores_busy(self) -> float:
        """Cores' worth of other processes' work since this object was made (never below zero)."""
        wall0, busy0, job0 = self._start
        wall = max(time.perf_counter() - wall0, 1e-9)
        return max(0.0, (self._busy_seconds() - busy0 - (self._job_seconds() - job0)) / wall)

    def note(self, cores: int) -> str | None:
        """A note for the result when neighbours kept at least BUSY_CORES of a core busy."""
        others = self.cores_busy()
        if others < BUSY_CORES:
            return None
        wall = time.perf_counter() - self._start[0]
        return (f"the machine was busy when this run started: other processes kept about {others:.1f} of the "
                f"{cores} CPU cores this run may use busy (measured over its first {wall:.0f} s); its timings "
                "are slower than this machine idle")


def describe(device: str, dtype: str | None = None, choice=None) -> Environment:
    """The machine; with `dtype` on CPU its peak is measured (a ~1 s matmul in that dtype) so MFU has a yardstick.

    `choice` (a `models.DtypeChoice`) is why the run computes in `dtype`, recorded with the peaks it measured
    (a peak it already measured in `dtype` is not measured again)."""
    import peft
    import torch
    import transformers

    gpu = torch.cuda.get_device_name() if device == "cuda" else None
    model, flags = cpu_info()
    peaks = dict(choice.peaks) if choice and device == "cpu" else {}
    if gpu:
        peak, basis = peak_bf16_flops(gpu), "spec sheet dense bf16 (data/gpu_prices.yaml)"
    elif device == "cpu" and dtype:
        peak = peaks[dtype] if dtype in peaks else measure_cpu_peak(dtype)
        peaks[dtype] = peak
        basis = (f"measured: fastest {PEAK_MATMUL_SIZE}³ {dtype} matmul on {torch.get_num_threads()} threads "
                 "(a busy machine lowers it)")
    else:
        peak, basis = None, None
    return Environment(
        device=device, gpu_name=gpu, peak_bf16_flops=peak_bf16_flops(gpu), peak_flops=peak, peak_basis=basis,
        dtype=dtype, dtype_reason=choice.reason if choice else None, cpu_peak_flops=peaks,
        machine_class=machine_class(device, gpu, flags), cpu_model=model, cpu_flags=flags,
        cpu_count=os.cpu_count() or 1,
        cores=usable_cores(), python_version=sys.version.split()[0], platform=platform.platform(),
        torch_version=torch.__version__, transformers_version=transformers.__version__,
        peft_version=peft.__version__,
    )
