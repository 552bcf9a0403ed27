"""`studycards count NAME` for every named architecture beside torchinfo's summary of the same network.

torchinfo's ``summary`` builds the network on the CPU (allocating and initialising every weight) and runs
a real forward pass at batch 1; ``count`` builds it on the meta device. Each tool runs in a fresh process
per network, after ``import torch``: "cold" is its first call in that process, "warm" the best of two
later calls (for ``count`` with its result cache and its memo of meta kernels emptied first, so the
network is measured again from scratch). "first MB" is the RSS the first call adds after ``import torch``
(for ``count`` in a fresh home, mostly the modules torch imports for its meta kernels), "warm MB" what
the later calls add on top (weights, for torchinfo). Both tools must report the same total parameters.

torchinfo is an optional benchmark dependency: ``pip install -e '.[bench]'``.

``count`` runs as ``studycards count NAME`` does: torch's readings are kept in ``<home>/cache`` (see
``studycards.reading_cache``). "count first" is its first call in a fresh home, where torch must read the
network (and the process pays torch's meta start-up); "count cold" the first call of a second process
with the same home, where the kept reading answers. "count warm" is measured from scratch as above.

Targets, per network, measured in the same run: count faster than torchinfo cold (a new process, reading
kept) and warm (measured again from scratch), and count's warm memory < 50 MB (no weight memory). "count
first" has no target and is summed up below the table: it is bounded by torch's meta start-up.

    python benchmarks/count.py [--only resnet50,densenet121]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
import tempfile

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

name, tool, home = sys.argv[1], sys.argv[2], sys.argv[3]
if tool == "count":
    import studycards.ground_truth as ground_truth
    from studycards.meta_memo import meta_memo
    from studycards.reading_cache import ReadingCache

    calls = 0

    def once():
        global calls
        calls += 1
        if calls == 1:  # what `studycards count NAME` does: the reading kept in <home>/cache, else torch's
            return ReadingCache(home).count(name).params
        ground_truth._measure.cache_clear()  # later calls: measured again from scratch, without the file
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


def run(name: str, tool: str, home: str) -> dict:
    output = subprocess.run(
        [sys.executable, "-c", CHILD, name, tool, home], check=True, capture_output=True, text=True
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
        f"{'network':<13} {'params':>12} {'count first':>11} {'count cold':>10} {'torchinfo':>9}"
        f" {'count warm':>10} {'torchinfo':>9} {'first MB':>8} {'torchinfo':>9} {'warm MB':>7} {'torchinfo':>9}"
    )
    print("seconds for a build and a forward pass at batch 1; torchinfo on the CPU, count on meta")
    print("count first: a fresh home, torch reads the network; cold: a new process, the reading kept on disk\n")
    print(header)
    print("-" * len(header))
    targets: dict[str, bool] = {}
    first_faster = 0
    for name in names:
        with tempfile.TemporaryDirectory() as home:
            first, kept = run(name, "count", home), run(name, "count", home)
        theirs = run(name, "torchinfo", "")
        print(
            f"{name:<13} {first['params']:>12,} {first['cold']:>11.3f} {kept['cold']:>10.3f} {theirs['cold']:>9.3f}"
            f" {first['warm']:>10.3f} {theirs['warm']:>9.3f} {first['cold_mb']:>8.1f} {theirs['cold_mb']:>9.1f}"
            f" {first['mb']:>7.1f} {theirs['mb']:>9.1f}"
        )
        for ours in (first, kept):
            targets[f"{name} params {ours['params']:,} ≠ torchinfo's {theirs['params']:,}"] = (
                ours["params"] == theirs["params"]
            )
        targets[f"{name} cold {kept['cold']:.2f} s < {theirs['cold']:.2f} s"] = kept["cold"] < theirs["cold"]
        targets[f"{name} warm {first['warm']:.2f} s < {theirs['warm']:.2f} s"] = first["warm"] < theirs["warm"]
        targets[f"{name} warm {first['mb']:.0f} MB < {MAX_COUNT_MB} MB"] = first["mb"] < MAX_COUNT_MB
        first_faster += first["cold"] < theirs["cold"]
    print(
        f"\ncount first (no target; torch's meta start-up imports torch._dynamo): faster than torchinfo's"
        f" cold for {first_faster} of {len(names)}"
    )
    line = targets_line(targets)
    print(line)
    return 0 if line == "targets: met" else 1


if __name__ == "__main__":
    sys.exit(main())
