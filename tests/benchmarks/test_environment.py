"""The machine a run measures on: GPU peaks from the one price table, the cores it may use, a busy machine."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import environment
from calculator.prices import gpu_table

# What torch.cuda.get_device_name() returns on these GPUs, and the table row each is.
DEVICE_NAMES = {
    "NVIDIA H100 80GB HBM3": "H100 80GB",
    "NVIDIA H100 PCIe": "H100 80GB",
    "NVIDIA H200": "H200 141GB",
    "NVIDIA A100-SXM4-80GB": "A100 80GB",
    "NVIDIA A100-SXM4-40GB": "A100 80GB",
    "NVIDIA L4": "L4 24GB",
    "NVIDIA L40S": "L40S 48GB",
}


@pytest.mark.parametrize("device_name", DEVICE_NAMES)
def test_gpu_peak_comes_from_the_price_table_row_of_that_gpu(device_name):
    row = gpu_table()[DEVICE_NAMES[device_name]]
    assert environment.peak_bf16_flops(device_name) == row.peak_bf16_tflops * 1e12


def test_known_peaks_and_gpus_the_table_lacks():
    assert environment.peak_bf16_flops("NVIDIA H100 80GB HBM3") == 989e12  # NVIDIA datasheet, dense bf16
    assert environment.peak_bf16_flops("NVIDIA L4") == 121e12  # not the L40S's 362e12
    assert environment.peak_bf16_flops("NVIDIA A100-SXM4-80GB") == 312e12
    assert environment.peak_bf16_flops("Tesla T4") is None  # no row: MFU left blank, not guessed
    assert environment.peak_bf16_flops(None) is None


def test_usable_cores_are_the_affinity_not_the_machine_count():
    assert environment.usable_cores() == len(os.sched_getaffinity(0))
    described = environment.describe("cpu")  # what the result's Environment records
    assert (described.cores, described.cpu_count) == (len(os.sched_getaffinity(0)), os.cpu_count())


def test_torch_threads_follow_the_cores_granted_to_the_process():
    """A process pinned to one core (as taskset or a cpuset would) runs torch on one thread."""
    code = ("import os; os.sched_setaffinity(0, {min(os.sched_getaffinity(0))}); import torch; "
            "from benchmarks.environment import claim_cores; print(claim_cores(), torch.get_num_threads())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120,
                         cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
    assert out.stdout.split() == ["1", "1"]


class _Times:
    """What psutil.cpu_times(percpu=True) gives for one CPU (user and system seconds, the rest idle)."""

    def __init__(self, busy: float) -> None:
        self.user, self.nice, self.system, self.irq, self.softirq = busy, 0.0, 0.0, 0.0, 0.0


def test_neighbours_are_the_cpu_time_on_this_runs_cores_less_its_own(monkeypatch):
    import psutil

    # scripted clock and counters: CPUs 0 and 1 are this run's, CPU 2 is not (its 9 s are not counted)
    clock, cpus, own = iter([100.0, 104.0]), iter([[_Times(10), _Times(20), _Times(0)],
                                                   [_Times(16), _Times(24), _Times(9)]]), iter([1.0, 3.0])
    monkeypatch.setattr(environment.os, "sched_getaffinity", lambda pid: {0, 1})
    monkeypatch.setattr(environment.time, "perf_counter", lambda: next(clock))
    monkeypatch.setattr(psutil, "cpu_times", lambda percpu: next(cpus))
    monkeypatch.setattr(psutil.Process, "cpu_times", lambda self: type("T", (), {"user": next(own), "system": 0.0}))
    sample = environment.NeighbourCpu()
    # 10 s of CPU on the run's two cores in 4 s of wall, 2 s of it this process's own: 2.0 cores' worth
    assert sample.cores_busy() == pytest.approx((6 + 4 - 2) / 4)


def test_a_cpu_bound_neighbour_is_named_and_an_idle_window_is_not(monkeypatch):
    import time

    monkeypatch.setattr(environment, "BUSY_CORES", 0.5)
    code = "import os, time; os.sched_setaffinity(0, {min(os.sched_getaffinity(0))}); t = time.time()\nwhile time.time() - t < 4: pass"
    burner = subprocess.Popen([sys.executable, "-c", code])
    try:
        time.sleep(0.5)  # the neighbour is running
        sample = environment.NeighbourCpu()
        t = time.perf_counter()
        while time.perf_counter() - t < 1.5:  # this run's own work, which is not a neighbour's
            pass
        note = sample.note(2)
        assert sample.cores_busy() > 0.5
    finally:
        burner.kill()
    assert note.startswith("the machine was busy when this run started: other processes kept about ")
    assert "CPU cores this run may use busy (measured over its first 2 s)" in note
    monkeypatch.setattr(environment, "BUSY_CORES", 1e9)  # no machine is that busy: no note
    assert environment.NeighbourCpu().note(2) is None


@pytest.mark.parametrize(("device", "gpu", "flags", "expected"), [
    ("cpu", None, ["fma", "avx2"], "cpu-avx2"),  # this project's AMD EPYC
    ("cpu", None, ["fma", "avx2", "avx512f", "avx512_bf16", "amx_tile", "amx_bf16"], "cpu-amx"),  # Sapphire Rapids
    ("cpu", None, ["fma", "avx2", "avx512f"], "cpu-avx512"),
    ("cpu", None, [], "cpu"),
    ("cuda", "NVIDIA H100 80GB HBM3", [], "cuda-h100"),
    ("cuda", "NVIDIA L4", [], "cuda-l4"),
    ("cuda", "Tesla T4", [], "cuda-t4"),  # no price row: the device name's last word
])
def test_machine_class_files_a_perf_result_by_its_matmul_units(device, gpu, flags, expected):
    assert environment.machine_class(device, gpu, flags) == expected


def test_cpu_info_reads_this_machines_model_and_vector_flags():
    model, flags = environment.cpu_info()
    text = Path("/proc/cpuinfo").read_text(encoding="utf-8")
    first_flags = next(line for line in text.splitlines() if line.startswith("flags")).split(":", 1)[1].split()
    assert flags == [f for f in environment.VECTOR_FLAGS if f in first_flags]
    assert model and model in text


def test_measured_cpu_peak_is_the_fastest_matmul_and_lands_in_the_environment():
    import time

    import torch

    environment.claim_cores()
    peak = environment.measure_cpu_peak("float32", size=512, seconds=0.3)
    a = torch.randn(512, 512)
    torch.mm(a, a)
    t0 = time.perf_counter()
    torch.mm(a, a)
    one = 2 * 512**3 / (time.perf_counter() - t0)
    assert peak > 0.5 * one  # the best of many repeats, not slower than one repeat (with room for a neighbour)
    measured = environment.describe("cpu", "float32")
    assert measured.peak_flops > 0 and measured.mfu_peak == measured.peak_flops
    assert "float32 matmul" in measured.peak_basis
    assert environment.describe("cpu").peak_flops is None  # no dtype: nothing measured, MFU stays blank


def test_the_dtype_choice_and_both_peaks_land_in_the_environment_and_mfu_is_against_the_one_that_ran(monkeypatch):
    from benchmarks.models import DtypeChoice
    from core.result import BenchmarkResult, Environment, settle_cpu_peak

    def never(dtype):
        raise AssertionError("a peak auto already measured is not measured again")

    monkeypatch.setattr(environment, "measure_cpu_peak", never)
    choice = DtypeChoice("bfloat16", "auto: bf16 matmul measured ...", {"float32": 166e9, "bfloat16": 384e9})
    env = environment.describe("cpu", "bfloat16", choice)
    assert (env.dtype, env.dtype_reason, env.cpu_peak_flops) == ("bfloat16", choice.reason, choice.peaks)
    assert env.mfu_peak == env.peak_flops == 384e9 and "bfloat16 matmul" in env.peak_basis
    assert Environment.model_validate_json(env.model_dump_json()) == env  # what a result file holds
    old = env.model_dump(exclude={"dtype", "dtype_reason", "cpu_peak_flops"})  # a file written before the fields
    assert Environment.model_validate(old).cpu_peak_flops == {} and Environment.model_validate(old).dtype is None
    # the run's end measures its dtype again; a faster end peak replaces that dtype's, the other stays
    result = BenchmarkResult.model_construct(environment=env, approaches=[])
    settle_cpu_peak(result, 400e9)
    assert env.cpu_peak_flops == {"float32": 166e9, "bfloat16": 400e9} and env.peak_flops == 400e9
    monkeypatch.setattr(environment, "measure_cpu_peak", lambda dtype: 150e9)
    asked = environment.describe("cpu", "float32", DtypeChoice("float32", "asked for (dtype float32)"))
    assert (asked.peak_flops, asked.cpu_peak_flops, asked.dtype_reason) == (150e9, {"float32": 150e9},
                                                                            "asked for (dtype float32)")
