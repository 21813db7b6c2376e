#!/usr/bin/env bash
# Scripts/fuzz.sh [SECONDS]: builds the libFuzzer targets of Fuzz/ with AddressSanitizer and runs each for SECONDS
# (default 60): FuzzIDX (IDX dataset files, raw and gzip), FuzzSafetensors (the safetensors reader) and
# FuzzGrowingNetwork (the structure JSON of saved growing networks).
#
# Work goes to FUZZ_WORK (default .build-fuzz/ in the package): the build, one corpus per target (seeded by the target
# itself on the first run, IDX seeds also gzipped), and in crashes/<target>/ the input of any crash, timeout or
# allocation over the limit, which `"$FUZZ_WORK"/build/release/<target> FILE` replays. Exits 1 if any target failed.
# On a shared machine, run it as `nice -n 19 Scripts/fuzz.sh`.
set -euo pipefail
seconds=${1:-60}
# LeakSanitizer misreads Swift's enum payloads (tag bits in pointers) as leaks; memory errors are still caught.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}
root=$(cd "$(dirname "$0")/.." && pwd)
work=${FUZZ_WORK:-$root/.build-fuzz}
# SwiftPM's --sanitize, not -Xswiftc -sanitize=fuzzer: on Linux SwiftPM links executables with
# --defsym main=<Module>_main, which only its own fuzzer option replaces by libFuzzer's main.
build=(swift build --package-path "$root/Fuzz" --scratch-path "$work/build" -c release
       --sanitize fuzzer --sanitize address -Xswiftc -parse-as-library)
"${build[@]}"
bin=$("${build[@]}" --show-bin-path)

failed=()
for target in FuzzIDX FuzzSafetensors FuzzGrowingNetwork; do
    corpus=$work/corpus/$target
    crashes=$work/crashes/$target
    mkdir -p "$corpus" "$crashes"
    if [ -z "$(ls -A "$corpus")" ]; then
        FUZZ_SEED_CORPUS=$corpus "$bin/$target" -runs=0 "$corpus" >/dev/null 2>&1
        if [ "$target" = FuzzIDX ]; then
            for seed in "$corpus"/*; do gzip -c "$seed" >"$seed.gz"; done
        fi
    fi
    echo "== $target: $seconds s"
    # -malloc_limit_mb: one allocation beyond it is a failure, so a reader that trusts a size field is caught.
    if ! "$bin/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=512 \
            -artifact_prefix="$crashes/" -print_final_stats=1 "$corpus" >"$work/$target.log" 2>&1; then
        failed+=("$target")
    fi
    grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb|^(==[0-9]+==ERROR|SUMMARY)|^artifact_prefix|Test unit written' \
        "$work/$target.log" || true
done

if [ ${#failed[@]} -gt 0 ]; then
    echo "failed: ${failed[*]} (logs: $work/<target>.log, inputs: $work/crashes/)"
    exit 1
fi
echo "no crashes"
