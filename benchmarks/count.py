"""`studycards count NAME` for every named architecture beside torchinfo's summary of the same network.

torchinfo's ``summary`` builds the network on the CPU (allocating and initialising every weight) and runs
a real forward pass at batch 1; ``count`` builds it on the meta device. Each tool runs in a fresh process
per network, after ``import torch``: "cold" is its first call in that process (for ``count`` that
includes torch's one-time meta start-up, the Python meta kernels and what they import), "warm" the best
of two later calls (for ``count`` with its result cache and its memo of meta kernels emptied first, so
the network is measured again from scratch). "cold MB" is the RSS the first call adds after ``import torch``
(for ``count``, mostly the modules torch imports for its meta kernels), "warm MB" what the later calls add
on top (weights, for torchinfo). Both tools must report the same total parameters.

torchinfo is an optional benchmark dependency: ``pip install -e '.[bench]'``.

Targets, per network, measured in the same run: count faster than torchinfo cold and warm, and count's
warm memory < 50 MB (no weight memory).

    python benchmarks/count.py [--only resnet50,densenet121]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys

from timing import targets_line  # benchmarks/timing.py, beside this script

from studycards.layer_names import ARCHITECTURE_NAMES

MAX_COUNT_MB = 50

CHILD = r"""
import json, sys, time
import torch

def rss_mb():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0

name, tool = sys.argv[1], sys.argv[2]
if tool == "count":
    import studycards.ground_truth as ground_truth
    from studycards.meta_memo import meta_memo

    def once():
        ground_truth._measure.cache_clear()
        meta_memo().results.clear()
        return ground_truth.count(name).params
else:
    import torchinfo
    from studycards.architectures import DEFAULT_INPUT, build_architecture

    def once():
        model = build_architecture(name)
        stats = torchinfo.summary(model, input_size=DEFAULT_INPUT, device="cpu", verbose=0)
        return stats.total_params

base = rss_mb()
times = []
for attempt in range(3):
    start = time.perf_counter()
    params = once()
    times.append(time.perf_counter() - start)
    if attempt == 0:
        after_first = peak = rss_mb()
    peak = max(peak, rss_mb())
print(json.dumps({"cold": times[0], "warm": min(times[1:]), "params": params,
                  "cold_mb": after_first - base, "mb": peak - after_first}))
"""


def run(name: str, tool: str) -> dict:
    output = subprocess.run(
        [sys.executable, "-c", CHILD, name, tool], check=True, capture_output=True, text=True
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="comma-separated architecture names (default: all)")
    args = parser.parse_args()
    if importlib.util.find_spec("torchinfo") is None:
        print("torchinfo is not installed: pip install -e '.[bench]' (it is a benchmark-only dependency)")
        print("targets: NOT met (torchinfo missing, nothing compared)")
        return 1
    names = args.only.split(",") if args.only else sorted(ARCHITECTURE_NAMES)
    header = (
        f"{'network':<13} {'params':>12} {'count cold':>11} {'torchinfo':>10} {'count warm':>11} {'torchinfo':>10}"
        f" {'cold MB':>8} {'torchinfo':>10} {'warm MB':>8} {'torchinfo':>10}"
    )
    print("seconds for a build and a forward pass at batch 1; torchinfo on the CPU, count on meta\n")
    print(header)
    print("-" * len(header))
    targets: dict[str, bool] = {}
    for name in names:
        ours, theirs = run(name, "count"), run(name, "torchinfo")
        print(
            f"{name:<13} {ours['params']:>12,} {ours['cold']:>11.3f} {theirs['cold']:>10.3f} "
            f"{ours['warm']:>11.3f} {theirs['warm']:>10.3f} {ours['cold_mb']:>8.1f} {theirs['cold_mb']:>10.1f}"
            f" {ours['mb']:>8.1f} {theirs['mb']:>10.1f}"
        )
        targets[f"{name} params {ours['params']:,} ≠ torchinfo's {theirs['params']:,}"] = (
            ours["params"] == theirs["params"]
        )
        targets[f"{name} cold {ours['cold']:.2f} s < {theirs['cold']:.2f} s"] = ours["cold"] < theirs["cold"]
        targets[f"{name} warm {ours['warm']:.2f} s < {theirs['warm']:.2f} s"] = ours["warm"] < theirs["warm"]
        targets[f"{name} warm {ours['mb']:.0f} MB < {MAX_COUNT_MB} MB"] = ours["mb"] < MAX_COUNT_MB
    line = targets_line(targets)
    print(line)
    return 0 if line == "targets: met" else 1


if __name__ == "__main__":
    sys.exit(main())
