#!/usr/bin/env bash
# Measured acceptance of the search on MNIST (release build, 2 threads), as issue 3 asks:
#   1. ILNAS reaches >= 99.3% test accuracy with <= 100,000 parameters within 15 minutes;
#   2. at a 20,000-parameter budget, same epochs, seeds 0-2: ILNAS median >= fixed median and >= random median;
#   3. the architecture step costs <= 10% of its epoch's training time, for every granularity.
# Usage: Examples/Acceptance/run.sh [MNIST_DIR] [OUT_DIR]     (about an hour on 2 cores)
# Each part can be run alone: PARTS="accuracy comparison overhead" (default all three).
set -euo pipefail
cd "$(dirname "$0")/../.."
data=${1:-../shared/datasets/mnist}
out=${2:-runs/acceptance}
parts=${PARTS:-accuracy comparison overhead}
mkdir -p "$out"
swift build -c release --product ilnas >/dev/null
ilnas=.build/release/ilnas

field() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$1" "$2"; }

if [[ $parts == *accuracy* ]]; then
  "$ilnas" search --data "$data" --budget 100k --epochs ${ACCURACY_EPOCHS:-8} --compute-budget ${COMPUTE_BUDGET:-4M} \
    --head flatten --augment --threads 2 --seed 0 --quiet --out "$out/accuracy" >/dev/null
  echo "accuracy: test $(field "$out/accuracy/summary.json" testAccuracy), parameters $(field "$out/accuracy/summary.json" parameterCount), wall $(field "$out/accuracy/summary.json" wallSeconds) s"
fi

if [[ $parts == *comparison* ]]; then
  for seed in 0 1 2; do
    for baseline in ilnas fixed random; do
      "$ilnas" search --data "$data" --budget 20k --epochs ${COMPARISON_EPOCHS:-3} --compute-budget ${COMPUTE_BUDGET:-4M} \
        --baseline "$baseline" --threads 2 --seed "$seed" --quiet --out "$out/compare-$baseline-$seed" >/dev/null
      echo "comparison: $baseline seed $seed test $(field "$out/compare-$baseline-$seed/summary.json" testAccuracy) parameters $(field "$out/compare-$baseline-$seed/summary.json" parameterCount)"
    done
  done
fi

if [[ $parts == *overhead* ]]; then
  for granularity in weight kernel layer; do
    "$ilnas" search --data "$data" --budget 100k --epochs 2 --frozen-fraction 0 --compute-budget ${COMPUTE_BUDGET:-4M} \
      --granularity "$granularity" --threads 2 --seed 0 --quiet --out "$out/overhead-$granularity" >/dev/null
    echo "overhead: $granularity max architecture share of an epoch $(field "$out/overhead-$granularity/summary.json" maximumArchitectureOverhead)"
  done
fi

python3 - "$out" <<'PY'
import json, os, statistics, sys
out = sys.argv[1]
def summary(name):
    path = os.path.join(out, name, "summary.json")
    return json.load(open(path)) if os.path.exists(path) else None
verdicts = []
s = summary("accuracy")
if s:
    ok = s["testAccuracy"] >= 0.993 and s["parameterCount"] <= 100_000 and s["wallSeconds"] <= 900
    verdicts.append(("MNIST >= 99.3% with <= 100k parameters in <= 15 min", ok,
                     f"{100*s['testAccuracy']:.2f}%, {s['parameterCount']} parameters, {s['wallSeconds']:.0f} s"))
medians = {}
for baseline in ("ilnas", "fixed", "random"):
    runs = [summary(f"compare-{baseline}-{seed}") for seed in range(3)]
    if all(runs):
        medians[baseline] = statistics.median(r["testAccuracy"] for r in runs)
if len(medians) == 3:
    verdicts.append(("20k budget: ILNAS median >= fixed and random medians",
                     medians["ilnas"] >= medians["fixed"] and medians["ilnas"] >= medians["random"],
                     ", ".join(f"{k} {100*v:.2f}%" for k, v in medians.items())))
shares = {g: summary(f"overhead-{g}") for g in ("weight", "kernel", "layer")}
if all(shares.values()):
    worst = {g: s["maximumArchitectureOverhead"] for g, s in shares.items()}
    verdicts.append(("architecture step <= 10% of its epoch, every granularity", max(worst.values()) <= 0.10,
                     ", ".join(f"{g} {100*v:.1f}%" for g, v in worst.items())))
for name, ok, detail in verdicts:
    print(f"{'PASS' if ok else 'FAIL'}  {name}: {detail}")
PY
