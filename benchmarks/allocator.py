"""Keep freed tensor memory in the process for the next batch (glibc malloc settings).

glibc serves every allocation above its mmap threshold (128 KiB at start, raised only as such
blocks are freed) with fresh pages from the kernel, which the kernel must fault in and zero on
first touch, and gives heap memory back above its trim threshold. A forward pass allocates
activations of several MiB per tensor, thousands of times per batch, so on CPU a good part of
the element-wise time went to page faults. Raising both thresholds (the mmap one to glibc's
maximum) lets those blocks be reused: the zero-shot scorer ran ~15% faster on the 2-core dev
machine, the per-example `generate()` baseline, whose tensors are small, within noise
(docs/BENCHMARKS.md). The price is memory the process keeps after a peak instead of returning it.
"""

from __future__ import annotations

import ctypes
import platform

# mallopt(3) parameter numbers, from glibc's malloc.h
M_TRIM_THRESHOLD, M_TOP_PAD, M_MMAP_THRESHOLD = -1, -2, -3
SETTINGS = {
    M_MMAP_THRESHOLD: 32 * 2**20,  # glibc's upper bound on 64-bit (HEAP_MAX_SIZE / 2)
    M_TRIM_THRESHOLD: 2**30,
    M_TOP_PAD: 256 * 2**20,  # grow the heap in big steps, not one brk per activation
}


def keep_freed_memory() -> bool:
    """Apply SETTINGS to this process's malloc; False where the C library is not glibc."""
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return False
    libc = ctypes.CDLL(None)
    return all(libc.mallopt(param, value) == 1 for param, value in SETTINGS.items())
