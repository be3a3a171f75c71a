"""The glibc settings really keep a large block off mmap, checked in fresh processes."""

from __future__ import annotations

import platform
import subprocess
import sys

import pytest

pytestmark = pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc malloc only")

# Allocates 8 MiB and prints how many bytes glibc then holds in mmapped blocks (mallinfo2.hblkhd).
PROBE = """
import ctypes, sys
from benchmarks.allocator import keep_freed_memory
class MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in ("arena", "ordblks", "smblks", "hblks", "hblkhd",
                "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")]
libc = ctypes.CDLL(None)
libc.mallinfo2.restype, libc.malloc.restype = MallInfo2, ctypes.c_void_p
if sys.argv[1] == "tuned":
    assert keep_freed_memory()
before = libc.mallinfo2().hblkhd
block = libc.malloc(8 * 2**20)
print(libc.mallinfo2().hblkhd - before)
"""


def _mmapped_bytes(mode: str) -> int:
    out = subprocess.run([sys.executable, "-c", PROBE, mode], capture_output=True, text=True, check=True)
    return int(out.stdout)


def test_a_large_block_comes_from_the_heap_once_tuned():
    assert _mmapped_bytes("default") >= 8 * 2**20  # glibc's default: straight from mmap, fresh pages
    assert _mmapped_bytes("tuned") == 0
