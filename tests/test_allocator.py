"""glibc allocator tuning for CPU training (aekit.train.allocator)."""

from __future__ import annotations

import ctypes
import json
import os
import platform
import subprocess
import sys

import pytest


def glibc_ok() -> bool:
    return platform.system() == "Linux" and platform.libc_ver()[0] == "glibc"


def _has_mallinfo2() -> bool:  # glibc >= 2.33
    return glibc_ok() and hasattr(ctypes.CDLL(None), "mallinfo2")


glibc = pytest.mark.skipif(
    not glibc_ok(), reason="the tuning applies to Linux with glibc only"
)

# A training step's pattern: several activation-sized buffers (12.8 MB each)
# alive at once, all freed at the end of the step, then allocated again. After a
# small fit (which applies the tuning) the probe reports where glibc put the
# live buffers (mmap or heap), how much freed memory the heap kept, and the page
# faults of 20 more steps.
_PROBE = """
import ctypes, json, resource, numpy as np, torch
import aekit
from aekit.train import allocator
X = np.random.default_rng(0).random((64, 20), dtype=np.float32)
aekit.AutoEncoder(hidden_layer_sizes=(8,), code_size=2, epochs=1).fit(X)
applied = allocator.retain_freed_memory()

class MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks",
        "uordblks", "fordblks", "keepcost")]

libc = ctypes.CDLL(None)
libc.mallinfo2.restype = MallInfo2

def step():
    return [torch.ones(128, 32, 28, 28) for _ in range(6)]

live = step()
mmapped = libc.mallinfo2().hblkhd
del live
kept = libc.mallinfo2().fordblks
step()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(20):
    step()
faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
print(json.dumps({"applied": applied, "mmapped": mmapped, "kept": kept,
                  "faults": faults}))
"""


def _probe(**env: str) -> dict:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("MALLOC_") and k != "AEKIT_MALLOC_TUNING"
    }
    out = subprocess.run(
        [sys.executable, "-c", _PROBE],
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


@pytest.mark.skipif(not _has_mallinfo2(), reason="needs glibc >= 2.33 (mallinfo2)")
def test_fit_keeps_freed_buffers_instead_of_faulting_them_in_again():
    tuned = _probe()
    assert tuned["applied"]
    six_buffers = 6 * 128 * 32 * 28 * 28 * 4
    assert tuned["mmapped"] < six_buffers / 6  # the live buffers sit in the heap
    assert tuned["kept"] >= 0.9 * six_buffers  # and stay there once freed
    # 20 steps of 6 x 3,136 pages: reused, not faulted in again.
    assert tuned["faults"] < 0.05 * 20 * 6 * 3136
    assert not _probe(AEKIT_MALLOC_TUNING="0")["applied"]


@glibc
def test_user_malloc_settings_are_respected():
    assert not _probe(MALLOC_TRIM_THRESHOLD_="1048576")["applied"]


def test_release_is_harmless_without_tuning():
    from aekit.train import allocator

    allocator.release_free_memory()  # a no-op unless the tuning was applied
