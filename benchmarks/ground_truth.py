"""Meta device vs a real CPU build: the cost of proving a number with torch.

For vgg16 and resnet50, each path runs in a fresh subprocess (so memory is that path's alone):
  meta: build on torch.device("meta") and run a forward pass on a meta tensor (what studycards does);
  cpu:  build on the CPU (allocating and initialising every weight) and run a real forward pass.
Time is build + forward, best of --repeat; memory is the peak RSS above the process's RSS right after
`import torch`. Targets: meta ≥100× faster than the CPU path, and < 50 MB above importing torch.

torch's meta kernels for batch norm, ReLU and friends are Python decompositions, imported on the first
meta op of a process (they pull in sympy): that one-time warm-up is measured and shown on its own line,
and the per-model meta figures are taken after it. studycards also caches each measurement, so a deck
check over 500 seeds pays the per-model cost once per distinct layer ("cached" column).

    python benchmarks/ground_truth.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

from timing import targets_line  # benchmarks/timing.py, beside this script

CHILD = r"""
import json, resource, sys, time
import torch
from studycards.architectures import build_architecture

def rss_mb():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0

name, device, repeat = sys.argv[1], sys.argv[2], int(sys.argv[3])
base = rss_mb()
start = time.perf_counter()
with torch.device("meta"):
    torch.nn.BatchNorm2d(1).eval()(torch.empty(1, 1, 1, 1))  # torch's one-time meta-kernel import
warmup_s, warmup_mb = time.perf_counter() - start, rss_mb() - base
if device == "meta":
    base = rss_mb()
best = float("inf")
peak = base
for _ in range(repeat):
    start = time.perf_counter()
    with torch.device(device):
        model = build_architecture(name).eval()
    with torch.no_grad():
        out = model(torch.empty(1, 3, 224, 224, device=device).normal_() if device == "cpu"
                    else torch.empty(1, 3, 224, 224, device=device))
    best = min(best, time.perf_counter() - start)
    peak = max(peak, rss_mb())
    params = sum(p.numel() for p in model.parameters())
    del model, out
from studycards.ground_truth import count
count(name)
start = time.perf_counter()
count(name)
cached = time.perf_counter() - start
print(json.dumps({"seconds": best, "extra_mb": peak - base, "params": params, "warmup_s": warmup_s,
                  "warmup_mb": warmup_mb, "cached_s": cached}))
"""


def run(name: str, device: str, repeat: int) -> dict:
    output = subprocess.run(
        [sys.executable, "-c", CHILD, name, device, str(repeat)], check=True, capture_output=True, text=True
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    header = (
        f"{'model':<10} {'params':>12} {'meta s':>9} {'cached s':>10} {'cpu s':>8} {'meta/cpu':>9} "
        f"{'cached/cpu':>11} {'meta MB':>8} {'cpu MB':>8}"
    )
    print(header)
    print("-" * len(header))
    warmups = []
    targets: dict[str, bool] = {}
    for name in ("vgg16", "resnet50"):
        meta, cpu = run(name, "meta", args.repeat), run(name, "cpu", args.repeat)
        assert meta["params"] == cpu["params"]
        warmups.append((meta["warmup_s"], meta["warmup_mb"]))
        print(
            f"{name:<10} {meta['params']:>12,} {meta['seconds']:>9.4f} {meta['cached_s']:>10.6f} "
            f"{cpu['seconds']:>8.3f} {cpu['seconds'] / meta['seconds']:>8.0f}× "
            f"{cpu['seconds'] / meta['cached_s']:>10.0f}× {meta['extra_mb']:>8.1f} {cpu['extra_mb']:>8.1f}"
        )
        speedup = cpu["seconds"] / meta["seconds"]
        targets[f"{name} meta {speedup:.0f}× faster than cpu ≥ 100×"] = speedup >= 100
        targets[f"{name} meta {meta['extra_mb']:.0f} MB < 50 MB"] = meta["extra_mb"] < 50
    seconds, megabytes = max(warmups)
    print(f"\none-time meta warm-up per process (torch imports its Python meta kernels): {seconds:.2f} s, "
          f"{megabytes:.0f} MB")
    print("meta MB: peak RSS above import torch + warm-up; cpu MB: above import torch. "
          "Targets: ≥100× faster, meta < 50 MB.")
    print(targets_line(targets))


if __name__ == "__main__":
    main()
