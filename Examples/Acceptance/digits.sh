#!/usr/bin/env bash
# The search on the default data (the embedded 8x8 digits) with default options, against its baselines, over many
# seeds (each seed has its own test split of 359 images, so one image is 0.28 points):
#   grown      ILNAS, the fixed VGG-like network and random growth, as `ilnas search --baseline B --seed S` trains them;
#   retrained  the final architectures of ILNAS and of random growth trained again from fresh weights without growth
#              (`--baseline retrained --from RUN`): what each architecture is worth apart from the weights it grew with.
# Prints each mean, and each difference from the fixed network paired by seed with its standard error.
# Usage: Examples/Acceptance/digits.sh [OUT_DIR]      (SEEDS="0 1 ... 15" by default; ILNAS=<binary> to measure a
# binary built beforehand; finished runs are not run again). About 10 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-runs/acceptance-digits}
seeds=${SEEDS:-$(seq -s ' ' 0 15)}
mkdir -p "$out"
if [[ -z ${ILNAS:-} ]]; then swift build -c release --product ilnas >/dev/null; fi
ilnas=${ILNAS:-.build/release/ilnas}
run() {  # run NAME ARGS...: one run into $out/NAME unless it finished before
  local name=$1; shift
  [[ -f "$out/$name/summary.json" ]] && return 0
  "$ilnas" search --threads 2 --quiet --out "$out/$name" "$@" > "$out/$name.log" 2>&1 || { echo "FAILED: $name (see $out/$name.log)"; return 1; }
}
for seed in $seeds; do
  for baseline in ilnas fixed random; do run "$baseline-$seed" --baseline "$baseline" --seed "$seed"; done
  for grown in ilnas random; do run "$grown-retrained-$seed" --baseline retrained --from "$out/$grown-$seed" --seed "$seed"; done
done
python3 - "$out" $seeds <<'PY'
import json, os, statistics, sys
out, seeds = sys.argv[1], [int(s) for s in sys.argv[2:]]
def summary(name): return json.load(open(os.path.join(out, name, "summary.json")))
rows = ["fixed", "ilnas", "random", "ilnas-retrained", "random-retrained"]
runs = {row: [summary(f"{row}-{seed}") for seed in seeds] for row in rows}
accuracy = {row: [100 * s["testAccuracy"] for s in runs[row]] for row in rows}
print(f"{len(seeds)} seeds, default options")
print(f"{'run':>17} {'mean test %':>11} {'vs fixed':>9} {'(se)':>6} {'params':>13} {'MACs':>17}")
for row in rows:
    params = [s["parameterCount"] for s in runs[row]]; macs = [s["multiplyAccumulates"] for s in runs[row]]
    differences = [a - f for a, f in zip(accuracy[row], accuracy["fixed"])]
    se = statistics.stdev(differences) / len(differences) ** 0.5 if len(differences) > 1 else float("nan")
    versus = f"{statistics.mean(differences):+9.2f} {se:6.2f}" if row != "fixed" else f"{'':>9} {'':>6}"
    print(f"{row:>17} {statistics.mean(accuracy[row]):11.2f} {versus} {min(params):6d}-{max(params):6d} {min(macs):8d}-{max(macs):8d}")
PY
