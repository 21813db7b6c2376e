#!/usr/bin/env bash
# Measured acceptance of the search (issue 8), release build, 2 threads, MNIST:
#   comparison  ILNAS, the fixed VGG-like network and random growth with the same options, >= 10 epochs, at 20k
#               (seeds 0-4) and 100k (seeds 0-2): the ILNAS median must beat the fixed median and the best random run;
#               ILNAS's training time must stay within 1.5x the fixed network's; every ILNAS run must end with no dead
#               channel and no unit added with a zero score.
#   sweep       the architecture learning rate A_lr at 20k (Figure 5, right): accuracy and wall time per value.
#   default     `ilnas search` with no arguments: under 3 minutes, no zero-score additions, architecture step < 15%.
# Usage: Examples/Acceptance/run.sh [MNIST_DIR] [OUT_DIR]          (several hours on 2 cores for everything)
# Choose parts and sizes with PARTS="comparison sweep default", BUDGETS="20k 100k", SEEDS_20K="0 1 2 3 4",
# SEEDS_100K="0 1 2", EPOCHS=10, SWEEP="0.02 0.05 0.15", ILNAS=<binary>. Finished runs (a summary.json) are not run again, so an
# interrupted acceptance resumes where it stopped.
set -euo pipefail
cd "$(dirname "$0")/../.."
data=${1:-../shared/datasets/mnist}
out=${2:-runs/acceptance}
parts=${PARTS:-comparison sweep default}
budgets=${BUDGETS:-20k 100k}
epochs=${EPOCHS:-10}
mkdir -p "$out"
if [[ -z ${ILNAS:-} ]]; then swift build -c release --product ilnas >/dev/null; fi
ilnas=${ILNAS:-.build/release/ilnas}   # ILNAS=/path/to/ilnas measures a binary built beforehand

run() {  # run NAME ARGS...: one search into $out/NAME unless it finished before
  local name=$1; shift
  [[ -f "$out/$name/summary.json" ]] && return 0
  "$ilnas" search --threads 2 --quiet --out "$out/$name" "$@" > "$out/$name.log" 2>&1 || { echo "FAILED: $name (see $out/$name.log)"; return 1; }
}

if [[ $parts == *comparison* ]]; then
  for budget in $budgets; do
    seeds_var="SEEDS_${budget^^}"; seeds=${!seeds_var:-$([[ $budget == 20k ]] && echo "0 1 2 3 4" || echo "0 1 2")}
    for seed in $seeds; do
      for baseline in ilnas fixed random; do
        run "$budget-$baseline-$seed" --data "$data" --budget "$budget" --epochs "$epochs" --baseline "$baseline" --seed "$seed"
      done
    done
  done
fi
if [[ $parts == *sweep* ]]; then
  for rate in ${SWEEP:-0.02 0.05 0.15}; do
    run "sweep-$rate" --data "$data" --budget 20k --epochs "$epochs" --arch-lr "$rate" --seed 0
  done
fi
if [[ $parts == *default* ]]; then
  run default
fi

python3 - "$out" <<'PY'
import glob, json, os, re, statistics, sys
out = sys.argv[1]
runs = {}
for path in glob.glob(os.path.join(out, "*", "summary.json")):
    runs[os.path.basename(os.path.dirname(path))] = json.load(open(path))
verdicts = []
for budget in sorted({m.group(1) for name in runs for m in [re.match(r"(\w+)-(ilnas|fixed|random)-\d+$", name)] if m}):
    group = {b: {int(n.rsplit("-", 1)[1]): s for n, s in runs.items() if n.startswith(f"{budget}-{b}-")} for b in ("ilnas", "fixed", "random")}
    seeds = sorted(set(group["ilnas"]) & set(group["fixed"]) & set(group["random"]))
    if not seeds: continue
    print(f"== {budget}: seeds {seeds}")
    print(f"{'run':>8} {'seed':>4} {'test %':>7} {'params':>7} {'MACs':>9} {'train s':>8} {'dead':>4} {'zero-score':>10}")
    for b in ("ilnas", "fixed", "random"):
        for seed in seeds:
            s = group[b][seed]
            print(f"{b:>8} {seed:>4} {100*s['testAccuracy']:7.2f} {s['parameterCount']:7d} {s['multiplyAccumulates']:9d} "
                  f"{s['trainingSeconds']:8.0f} {s.get('deadChannels', 0):4d} {s.get('zeroScoreUnits', 0):10d}")
    median = {b: statistics.median(group[b][s]["testAccuracy"] for s in seeds) for b in group}
    best_random = max(group["random"][s]["testAccuracy"] for s in seeds)
    time = {b: statistics.median(group[b][s]["trainingSeconds"] for s in seeds) for b in group}
    verdicts.append((f"{budget}: ILNAS median > fixed median and > best random run",
                     median["ilnas"] > median["fixed"] and median["ilnas"] > best_random,
                     f"ILNAS {100*median['ilnas']:.2f}%, fixed {100*median['fixed']:.2f}%, random median "
                     f"{100*median['random']:.2f}% (best {100*best_random:.2f}%)"))
    verdicts.append((f"{budget}: ILNAS training time <= 1.5x fixed (medians)", time["ilnas"] <= 1.5 * time["fixed"],
                     f"{time['ilnas']:.0f} s vs {time['fixed']:.0f} s ({time['ilnas']/time['fixed']:.2f}x)"))
    live = [s for s in group["ilnas"].values() if s.get("deadChannels", 0) == 0 and s.get("zeroScoreUnits", 0) == 0]
    verdicts.append((f"{budget}: every ILNAS run ends with no dead channel and no zero-score addition",
                     len(live) == len(group["ilnas"]), f"{len(live)} of {len(group['ilnas'])} runs"))
sweep = sorted((float(n[6:]), s) for n, s in runs.items() if n.startswith("sweep-"))
if sweep:
    print("== A_lr sweep at 20k, seed 0")
    for rate, s in sweep:
        print(f"A_lr {rate:5.3f}: test {100*s['testAccuracy']:.2f}%, {s['parameterCount']} parameters, {s['expansions']} expansions, wall {s['wallSeconds']:.0f} s")
s = runs.get("default")
if s:
    ok = s["wallSeconds"] < 180 and s["zeroScoreUnits"] == 0 and s["maximumArchitectureOverhead"] < 0.15
    verdicts.append(("`ilnas search` with no arguments: < 3 min, no zero-score additions, architecture step < 15%", ok,
                     f"{s['wallSeconds']:.0f} s, {100*s['testAccuracy']:.2f}%, zero-score units {s['zeroScoreUnits']}, "
                     f"dead channels {s['deadChannels']}, architecture step {100*s['maximumArchitectureOverhead']:.1f}% of its epoch"))
for name, ok, detail in verdicts:
    print(f"{'PASS' if ok else 'FAIL'}  {name}: {detail}")
PY
