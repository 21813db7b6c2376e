#!/usr/bin/env bash
# Builds and runs the framework benchmarks once the machine is quiet, keeping tables and JSON.
#
#   Examples/Benchmarks/run.sh [all|speed|layers|epoch|profile MODEL]     (default: all = speed, layers, epoch)
#
#   speed          part 1 (framework op vs bare GEMM) and part 2 (training step vs PyTorch), PASSES passes
#   layers         part 4: each layer's forward/backward time in a training step
#   epoch          part 3: one LeNet-5 MNIST epoch, time and peak RSS (needs MNIST_DIR)
#   profile MODEL  perf (or, without perf, callgrind) profile of MODEL's training steps (mlp, lenet5, cnn100k, vgg_s)
#
# Environment: OUT (default runs/bench), THREADS (1,2), PASSES (2), MNIST_DIR (../shared/datasets/mnist),
# EPOCH_THREADS (2, the PyTorch accuracy reference's), MAX_BUSY (0.3 cores used by others counts as quiet),
# MAX_WAIT (300 s of waiting per measurement before measuring anyway).
set -euo pipefail
cd "$(dirname "$0")/../.."

OUT=${OUT:-runs/bench}
THREADS=${THREADS:-1,2}
PASSES=${PASSES:-2}
MNIST_DIR=${MNIST_DIR:-../shared/datasets/mnist}
EPOCH_THREADS=${EPOCH_THREADS:-2}
MAX_BUSY=${MAX_BUSY:-0.3}
MAX_WAIT=${MAX_WAIT:-300}
mkdir -p "$OUT"

swift build -c release --product Benchmarks >&2
BIN="$(swift build -c release --show-bin-path)/Benchmarks"

# Busy CPU cores over 3 s from /proc/stat (user+nice+system+irq+softirq); nothing of ours runs meanwhile.
busy_cores() {
    local a b
    a=$(awk '/^cpu /{print $2+$3+$4+$7+$8}' /proc/stat)
    sleep 3
    b=$(awk '/^cpu /{print $2+$3+$4+$7+$8}' /proc/stat)
    awk -v a="$a" -v b="$b" -v hz="$(getconf CLK_TCK)" 'BEGIN{printf "%.2f", (b-a)/hz/3}'
}

# Waits in 15 s steps, at most MAX_WAIT seconds, until other processes use at most MAX_BUSY cores.
wait_quiet() {
    local waited=0 busy
    while true; do
        busy=$(busy_cores)
        if awk -v b="$busy" -v m="$MAX_BUSY" 'BEGIN{exit !(b <= m)}'; then
            echo "[load] quiet: others use $busy cores, 1-min load $(cut -d' ' -f1 /proc/loadavg)" >&2
            return
        fi
        if [ "$waited" -ge "$MAX_WAIT" ]; then
            echo "[load] others still use $busy cores after ${waited}s; measuring anyway" >&2
            return
        fi
        echo "[load] others use $busy cores; waiting 15 s" >&2
        sleep 15
        waited=$((waited + 18))
    done
}

speed() {
    wait_quiet
    "$BIN" --threads "$THREADS" --passes "$PASSES" --json "$OUT/speed.json" | tee "$OUT/speed.md"
}

layers() {
    wait_quiet
    "$BIN" --per-layer --threads "$THREADS" --json "$OUT/layers.json" | tee "$OUT/layers.md"
}

epoch() {
    if [ ! -d "$MNIST_DIR" ]; then
        echo "no MNIST at $MNIST_DIR (set MNIST_DIR); skipping the LeNet epoch" >&2
        return
    fi
    wait_quiet
    "$BIN" --lenet-epoch "$MNIST_DIR" --threads "$EPOCH_THREADS" --json "$OUT/epoch.json" | tee "$OUT/epoch.md"
}

profile() {
    local model=$1 threads=${THREADS%%,*}
    wait_quiet
    if perf stat -e task-clock true >/dev/null 2>&1; then
        perf record -F 999 -g -o "$OUT/perf-$model.data" \
            "$BIN" --per-layer --only "layers/$model" --threads "$threads" >/dev/null
        perf report -i "$OUT/perf-$model.data" --stdio --no-children -g none --sort dso,symbol --percent-limit 0.5 2>/dev/null \
            | grep -v "^$" | tee "$OUT/perf-$model.txt" | grep -v "^#" | head -40
    else
        valgrind --tool=callgrind --callgrind-out-file="$OUT/callgrind-$model.out" \
            "$BIN" --per-layer --only "layers/$model" --threads "$threads" >/dev/null
        callgrind_annotate "$OUT/callgrind-$model.out" | head -60 | tee "$OUT/callgrind-$model.txt"
    fi
}

case "${1:-all}" in
    all) speed; layers; epoch ;;
    speed) speed ;;
    layers) layers ;;
    epoch) epoch ;;
    profile)
        [ $# -ge 2 ] || { echo "usage: $0 profile MODEL (mlp, lenet5, cnn100k, vgg_s)" >&2; exit 2; }
        profile "$2" ;;
    *) echo "usage: $0 [all|speed|layers|epoch|profile MODEL]" >&2; exit 2 ;;
esac
