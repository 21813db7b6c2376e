"""Side-by-side training-step comparison with PyTorch that survives a contended machine.

Both sides are timed in the same script, interleaved model by model and round by round:

* ours: the Benchmarks program (`--only train/MODEL --passes 1 --max-wait 0`), at 1 thread with `--cpu-clock`
  (the process's CPU time per step), at more threads by the wall clock; with several `--benchmarks NAME=PATH`
  (builds before and after a change, say), each one in every round;
* PyTorch: the reference's own `bench_speed.time_model` (imported unchanged from --pytorch-dir: the same model,
  data, optimizer and step), at 1 thread with its step clock replaced by `time.process_time` (the process's CPU
  time, all threads), at more threads by the wall clock as it is.

At 1 thread, CPU time does not count the time other processes hold the core, so the ratio stays meaningful while
other work runs; `--wall-clock` times both sides by the wall clock there too, to cross-check on a quiet machine. The
Benchmarks program restarts itself with `OPENBLAS_NUM_THREADS=1`, so OpenBLAS's idle pool threads, which spin for
their first tenth of a second, neither hold a core nor add to its CPU time. Each round measures every model on both sides, alternating which goes first; the table reports per
model and build the median over rounds of PyTorch's median step time over ours (above 1: we are faster) and the
per-round ratios.

`--path avx2` runs our side on the AVX2 kernels (`OPENBLAS_CORETYPE=Haswell ILNAS_KERNELS=avx2`) and PyTorch on its
AVX2 code (`ATEN_CPU_CAPABILITY=avx2 ONEDNN_MAX_CPU_ISA=AVX2 MKL_ENABLE_INSTRUCTIONS=AVX2`), as on a CPU without
AVX-512; `--pytorch-native` leaves PyTorch on its widest code there.

usage: python cpu_time_comparison.py --benchmarks [NAME=].build/release/Benchmarks [--benchmarks NAME=PATH ...]
           [--path native|avx2] [--rounds 3] [--threads 1 [2]] [--wall-clock] [--models mlp lenet5 ...] [--json out.json]
"""
import argparse
import importlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

MODELS = ["mlp", "lenet5", "cnn100k", "vgg_s", "resnet20", "vgg_m", "vgg_l"]
# PyTorch's warm-up and timed steps per model: bench_speed.py's 5 and 25 where a step is short, fewer where one step
# takes seconds at 1 thread (our side runs 3 warm-up steps and 5 to 25 timed steps within 3 s).
PYTORCH_STEPS = {"mlp": (5, 25), "lenet5": (5, 25), "cnn100k": (5, 25), "vgg_s": (3, 10), "resnet20": (3, 10),
                 "vgg_m": (3, 5), "vgg_l": (3, 5)}
OUR_AVX2 = {"OPENBLAS_CORETYPE": "Haswell", "ILNAS_KERNELS": "avx2"}
PYTORCH_AVX2 = {"ATEN_CPU_CAPABILITY": "avx2", "ONEDNN_MAX_CPU_ISA": "AVX2", "MKL_ENABLE_INSTRUCTIONS": "AVX2"}


class _ProcessClock:
    """Stands in for bench_speed's `time` module: its step timer reads the process's CPU time."""
    perf_counter = staticmethod(time.process_time)
    sleep = staticmethod(time.sleep)


def ours(binary, model, threads, environment, cpu_clock):
    """Our median training-step seconds from one run of the Benchmarks program."""
    with tempfile.TemporaryDirectory() as folder:
        output = os.path.join(folder, "result.json")
        command = [binary, "--only", f"train/{model}", "--threads", str(threads), "--passes", "1",
                   "--max-wait", "0", "--json", output] + (["--cpu-clock"] if cpu_clock else [])
        subprocess.run(command, env=environment, check=True, stdout=subprocess.DEVNULL)
        with open(output) as file:
            rows = [row for row in json.load(file)["training"] if row["model"] == model]
    if len(rows) != 1:
        sys.exit(f"{binary} gave {len(rows)} results for train/{model}")
    return rows[0]["step"]["medianSeconds"]


def pytorch(bench_speed, model, threads, cpu_clock):
    """PyTorch's median training-step seconds from bench_speed.time_model."""
    warmup, steps = PYTORCH_STEPS[model]
    real_time = bench_speed.time
    bench_speed.time = _ProcessClock if cpu_clock else real_time
    try:
        result = bench_speed.time_model(model, threads, 128, warmup, steps, 1)
    finally:
        bench_speed.time = real_time
    return result["train"]["median_ms"] / 1e3


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--benchmarks", required=True, action="append",
                        help="a release Benchmarks executable, PATH or NAME=PATH (repeatable)")
    parser.add_argument("--pytorch-dir", default=os.path.join(os.path.dirname(__file__), "../../../shared/bench/pytorch"))
    parser.add_argument("--path", choices=["native", "avx2"], default="native")
    parser.add_argument("--pytorch-native", action="store_true", help="with --path avx2, leave PyTorch on its widest code")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, nargs="+", default=[1])
    parser.add_argument("--models", nargs="+", default=MODELS, choices=MODELS)
    parser.add_argument("--wall-clock", action="store_true", help="time 1 thread by the wall clock too (a quiet machine only)")
    parser.add_argument("--json", help="also write every measurement here")
    args = parser.parse_args()
    if args.rounds < 1 or any(t < 1 for t in args.threads):
        parser.error("--rounds and --threads take positive integers")

    builds = [tuple(item.split("=", 1)) if "=" in item else (item, item) for item in args.benchmarks]
    environment = dict(os.environ)
    if args.path == "avx2":
        environment.update(OUR_AVX2)
        if not args.pytorch_native:
            os.environ.update(PYTORCH_AVX2)   # read when torch loads, so before the import below
    sys.path.insert(0, os.path.abspath(args.pytorch_dir))
    bench_speed = importlib.import_module("bench_speed")
    torch = bench_speed.torch
    torch.set_num_interop_threads(1)
    print(f"# path {args.path}: torch {torch.__version__} on {torch.backends.cpu.get_cpu_capability()}, "
          f"ours with {' '.join(f'{k}={v}' for k, v in environment.items() if k in OUR_AVX2) or 'default kernels'}",
          flush=True)

    samples = {}   # (model, threads, build) -> list of (ours seconds, pytorch seconds)
    for round_index in range(1, args.rounds + 1):
        for threads in args.threads:
            cpu_clock = threads == 1 and not args.wall_clock
            for model in args.models:
                # Alternate which side goes first, so a slow spell of the machine does not always hit the same side.
                mine = {}
                if round_index % 2 == 0:
                    theirs = pytorch(bench_speed, model, threads, cpu_clock)
                for name, binary in builds:
                    mine[name] = ours(binary, model, threads, environment, cpu_clock)
                if round_index % 2:
                    theirs = pytorch(bench_speed, model, threads, cpu_clock)
                for name, seconds in mine.items():
                    samples.setdefault((model, threads, name), []).append((seconds, theirs))
                print(f"round {round_index} {model} threads {threads}: ours/PyTorch speed "
                      + ", ".join(f"{name} {theirs / seconds:.2f}" for name, seconds in mine.items()), flush=True)

    clock = {1: "wall" if args.wall_clock else "CPU time"}
    print(f"\n| model | threads | clock | build | ours over PyTorch (median of rounds) | per round |")
    print("| --- | --- | --- | --- | --- | --- |")
    for (model, threads, name), pairs in samples.items():
        ratios = [theirs / mine for mine, theirs in pairs]
        print(f"| {model} | {threads} | {clock.get(threads, 'wall')} | {name} | {statistics.median(ratios):.2f} | "
              f"{' '.join(f'{r:.2f}' for r in ratios)} |")
    if args.json:
        with open(args.json, "w") as file:
            json.dump({"path": args.path, "pytorch_native": args.pytorch_native, "rounds": args.rounds,
                       "wall_clock": args.wall_clock,
                       "rows": [{"model": model, "threads": threads, "build": name, "ours_seconds": [p[0] for p in pairs],
                                 "pytorch_seconds": [p[1] for p in pairs]}
                                for (model, threads, name), pairs in samples.items()]}, file, indent=1)


if __name__ == "__main__":
    main()
