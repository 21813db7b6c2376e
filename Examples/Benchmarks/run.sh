#!/usr/bin/env bash
# Builds and runs the framework benchmarks once the machine is quiet, keeping tables and JSON.
#
#   Examples/Benchmarks/run.sh [all|speed|layers|epoch|profile MODEL|compare [ARGS]]     (default: all = speed, layers, epoch)
#
#   speed          part 1 (framework op vs bare GEMM) and part 2 (training step vs PyTorch), PASSES passes
#   layers         part 4: each layer's forward/backward time in a training step
#   epoch          part 3: one LeNet-5 MNIST epoch, time and peak RSS (needs MNIST_DIR)
#   profile MODEL  perf (or, without perf, callgrind) profile of MODEL's training steps (mlp, lenet5, cnn100k, vgg_s, vgg_m, vgg_l, resnet20)
#   compare [ARGS] training step against PyTorch by process CPU time at 1 thread, both sides interleaved in one script
#                  (cpu_time_comparison.py; needs PYTORCH_PY; ARGS go to the script, e.g. --path avx2 --rounds 5)
#
# With PYTORCH_PY set to a Python that has torch, `speed` first runs the PyTorch reference's own bench_speed.py
# (copied from PYTORCH_DIR, default ../shared/bench/pytorch, into $OUT/pytorch so the shared results stay
# untouched) PASSES times and compares with those same-session figures as well as with RESULTS.md.
#
# Environment: OUT (default runs/bench), THREADS (1,2), PASSES (2), MNIST_DIR (../shared/datasets/mnist),
# EPOCH_THREADS (2, the PyTorch accuracy reference's), MAX_WAIT (600: seconds each invocation of the program may
# sleep waiting for other processes to go idle, or to repeat a measurement they disturbed; see --max-wait).
set -euo pipefail
cd "$(dirname "$0")/../.."

OUT=${OUT:-runs/bench}
THREADS=${THREADS:-1,2}
PASSES=${PASSES:-2}
MNIST_DIR=${MNIST_DIR:-../shared/datasets/mnist}
EPOCH_THREADS=${EPOCH_THREADS:-2}
MAX_WAIT=${MAX_WAIT:-600}
# The framework runs OpenBLAS on one thread; without this its idle pool threads spin at start-up. The program restarts
# itself with it otherwise, which callgrind (profile without perf) would not follow.
export OPENBLAS_NUM_THREADS=1
mkdir -p "$OUT"

swift build -c release --product Benchmarks >&2
BIN="$(swift build -c release --show-bin-path)/Benchmarks"

speed() {
    local pytorch=()
    if [ -n "${PYTORCH_PY:-}" ]; then
        local dir="$OUT/pytorch"
        mkdir -p "$dir"
        cp "${PYTORCH_DIR:-../shared/bench/pytorch}"/{common.py,bench_speed.py} "$dir/"
        for pass in $(seq 1 "$PASSES"); do
            (cd "$dir" && LOAD_WAIT_MAX="$MAX_WAIT" "$PYTORCH_PY" bench_speed.py --pass "$pass" --threads 2 1 \
                --models mlp lenet5 cnn100k vgg_s vgg_m vgg_l resnet20) >&2
            pytorch+=(--pytorch-json "$dir/results/speed_pass$pass.json")
        done
    fi
    "$BIN" --max-wait "$MAX_WAIT" --threads "$THREADS" --passes "$PASSES" "${pytorch[@]}" --json "$OUT/speed.json" \
        | tee "$OUT/speed.md"
}

layers() {
    "$BIN" --max-wait "$MAX_WAIT" --per-layer --threads "$THREADS" --json "$OUT/layers.json" | tee "$OUT/layers.md"
}

epoch() {
    if [ ! -d "$MNIST_DIR" ]; then
        echo "no MNIST at $MNIST_DIR (set MNIST_DIR); skipping the LeNet epoch" >&2
        return
    fi
    "$BIN" --max-wait "$MAX_WAIT" --lenet-epoch "$MNIST_DIR" --threads "$EPOCH_THREADS" --json "$OUT/epoch.json" | tee "$OUT/epoch.md"
}

profile() {
    local model=$1 threads=${THREADS%%,*}
    if perf stat -e task-clock true >/dev/null 2>&1; then
        perf record -F 999 -g -o "$OUT/perf-$model.data" \
            "$BIN" --max-wait "$MAX_WAIT" --per-layer --only "layers/$model" --threads "$threads" >/dev/null
        perf report -i "$OUT/perf-$model.data" --stdio --no-children -g none --sort dso,symbol --percent-limit 0.5 2>/dev/null \
            | grep -v "^$" | tee "$OUT/perf-$model.txt" | grep -v "^#" | head -40
    else
        valgrind --tool=callgrind --callgrind-out-file="$OUT/callgrind-$model.out" \
            "$BIN" --max-wait 0 --per-layer --only "layers/$model" --threads "$threads" >/dev/null
        callgrind_annotate "$OUT/callgrind-$model.out" | head -60 | tee "$OUT/callgrind-$model.txt"
    fi
}

compare() {
    [ -n "${PYTORCH_PY:-}" ] || { echo "compare needs PYTORCH_PY, a Python with torch" >&2; exit 2; }
    "$PYTORCH_PY" Examples/Benchmarks/cpu_time_comparison.py --benchmarks "$BIN" \
        --pytorch-dir "${PYTORCH_DIR:-../shared/bench/pytorch}" --json "$OUT/compare.json" "$@" | tee "$OUT/compare.md"
}

case "${1:-all}" in
    all) speed; layers; epoch ;;
    speed) speed ;;
    layers) layers ;;
    epoch) epoch ;;
    profile)
        [ $# -ge 2 ] || { echo "usage: $0 profile MODEL (mlp, lenet5, cnn100k, vgg_s, vgg_m, vgg_l, resnet20)" >&2; exit 2; }
        profile "$2" ;;
    compare) shift; compare "$@" ;;
    *) echo "usage: $0 [all|speed|layers|epoch|profile MODEL|compare [ARGS]]" >&2; exit 2 ;;
esac
