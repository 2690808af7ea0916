"""glibc allocator tuning for CPU training (aekit.train.allocator)."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys

import pytest

glibc = pytest.mark.skipif(
    platform.system() != "Linux" or platform.libc_ver()[0] != "glibc",
    reason="the tuning applies to Linux with glibc only",
)

# Counts the page faults of a training step's pattern: several activation-sized
# buffers (12 MB each) alive at once, all freed at the end of the step, then
# allocated again; measured after a small fit (which applies the tuning).
_PROBE = """
import json, resource, numpy as np, torch
import aekit
from aekit.train import allocator
X = np.random.default_rng(0).random((64, 20), dtype=np.float32)
aekit.AutoEncoder(hidden_layer_sizes=(8,), code_size=2, epochs=1).fit(X)
applied = allocator.retain_freed_memory()
def step():
    return [torch.ones(128, 32, 28, 28) for _ in range(6)]
for _ in range(3):
    step()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(20):
    step()
faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
print(json.dumps({"applied": applied, "faults": faults}))
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


@glibc
def test_fit_keeps_freed_buffers_instead_of_faulting_them_in_again():
    tuned, untouched = _probe(), _probe(AEKIT_MALLOC_TUNING="0")
    assert tuned["applied"] and not untouched["applied"]
    # 20 steps of 6 buffers of 3,136 pages each: untuned, glibc gives the
    # freed heap top back to the kernel and most pages fault in again; tuned,
    # the freed blocks are reused.
    assert untouched["faults"] > 20 * 3000
    assert tuned["faults"] < 0.05 * untouched["faults"]


@glibc
def test_user_malloc_settings_are_respected():
    assert not _probe(MALLOC_TRIM_THRESHOLD_="1048576")["applied"]


def test_release_is_harmless_without_tuning():
    from aekit.train import allocator

    allocator.release_free_memory()  # a no-op unless the tuning was applied
