#!/usr/bin/env bash
# Training steps per second of 2 MPI ranks x 1 thread against 1 process x 2 threads, same global batch, release
# build with the trait MPI, interleaved runs (the machine may be shared). Prints one line per run and the ratios.
# Usage: Scripts/mpi/scaling.sh DATA [ROUNDS] [ilnas search options...]
#   e.g. Scripts/mpi/scaling.sh ../shared/datasets/mnist 3 --epochs 1 --baseline fixed
set -euo pipefail
cd "$(dirname "$0")/../.."
data=$1; rounds=${2:-3}; shift $(( $# >= 2 ? 2 : 1 ))
swift build -c release --traits MPI --scratch-path .build-mpi --product ilnas >/dev/null
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# steps per second of the run in $1: the training steps of all epochs over their training seconds (expansions included)
steps_per_second() {
    python3 - "$1" "$2" <<'PYTHON'
import json, math, sys
epochs = [json.loads(line) for line in open(sys.argv[1] + "/epochs.jsonl")]
summary = json.load(open(sys.argv[1] + "/summary.json"))
steps = sum(math.ceil(round(e["trainImagesPerSecond"] * e["trainSeconds"]) / int(sys.argv[2])) for e in epochs)
print("%.3f %s" % (steps / sum(e["trainSeconds"] for e in epochs), summary.get("ranks")))
PYTHON
}
batch=$(python3 -c 'import sys; a=sys.argv[1:]; print(a[a.index("--batch-size")+1] if "--batch-size" in a else 128)' "$@")
ratios=()
for round in $(seq 1 "$rounds"); do
    .build-mpi/release/ilnas search --data "$data" --threads 2 --out "$out/one-$round" --quiet "$@" >/dev/null
    one=$(steps_per_second "$out/one-$round" "$batch")
    mpirun --oversubscribe -np 2 --bind-to none .build-mpi/release/ilnas search --data "$data" --threads 1 --out "$out/two-$round" --quiet "$@" >/dev/null
    two=$(steps_per_second "$out/two-$round" "$batch")
    echo "round $round: 1 process x 2 threads ${one% *} steps/s; 2 ranks x 1 thread ${two% *} steps/s (summary ranks: ${two#* })"
    ratios+=("$(python3 -c "print(${two% *} / ${one% *})")")
done
echo "ratio (2 ranks x 1 thread) / (1 process x 2 threads) per round: ${ratios[*]}"
