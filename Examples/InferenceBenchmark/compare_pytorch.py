"""Inference images/s of searched networks: the compacted network and the masked dense network (both in Swift, by
the InferenceBenchmark executable) against PyTorch running the same architecture densely.

Not part of `swift test`. Needs a Python with torch, numpy and safetensors, and release builds of `ilnas` and
`InferenceBenchmark`:

    swift build -c release --product ilnas && swift build -c release --product InferenceBenchmark
    /tmp/torch-venv/bin/python Examples/InferenceBenchmark/compare_pytorch.py \
        --runs RUN20K RUN100K --data ../shared/datasets/mnist [--threads 1 2] [--batch 500] [--rounds 3]

For each run it exports the compacted network (`ilnas export RUN --format safetensors`), builds a torch.nn.Module
from the JSON graph description in the file's metadata alone, loads its weights, and checks the module's logits on
the first test images against those of `ilnas evaluate RUN --logits` (the masked network's). Then, in every round,
for every run and thread count, it runs InferenceBenchmark (which times compact and masked alternately) and right
after times PyTorch on the same batch size and thread count (`torch.set_num_threads`, inference mode, median over
the timed batches after warm-up, as the reference's bench_speed.py), so that the three are measured side by side.
It prints a Markdown table of images/s and the ratios (medians over rounds of each round's ratio).
"""

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from safetensors import safe_open
from safetensors.torch import load_file

PACKAGE = Path(__file__).resolve().parents[2]


class CompactModule(torch.nn.Module):
    """The compacted network of an export, computed densely from its description and tensors."""

    def __init__(self, description: dict, tensors: dict):
        super().__init__()
        assert description["format"] == 1, description["format"]
        self.description = description
        self.layers = description["layers"]
        self.params = torch.nn.ParameterDict(
            {name.replace(".", "__"): torch.nn.Parameter(value.float(), requires_grad=False) for name, value in tensors.items()})

    def tensor(self, name: str) -> torch.Tensor:
        return self.params[name.replace(".", "__")]

    @staticmethod
    def reduce(x: torch.Tensor, reduction: str) -> torch.Tensor:
        if reduction == "identity":
            return x
        if reduction == "maxPool":
            return F.max_pool2d(x, 2, 2)
        if reduction == "globalAveragePool":
            return x.mean(dim=(2, 3))
        if reduction == "flatten":
            return x.flatten(1)
        raise ValueError(f"unknown reduction {reduction}")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        outputs = {"input": x}
        reduced = {}
        for layer in self.layers:
            bias = self.tensor(layer["bias"])
            total = None
            for i, source in enumerate(layer["inputs"]):
                key = (source["from"], source["reduction"])
                if key not in reduced:
                    reduced[key] = self.reduce(outputs[source["from"]], source["reduction"])
                weight = self.tensor(source["weight"])
                b = bias if i == 0 else None
                if layer["kind"] == "convolution":
                    term = F.conv2d(reduced[key], weight, b, stride=1, padding=layer["padding"])
                else:
                    term = F.linear(reduced[key], weight, b)
                total = term if total is None else total + term
            if total is None:
                shape = (x.shape[0], *layer["outputShape"])
                total = bias.reshape((1, -1) + (1,) * (len(layer["outputShape"]) - 1)).expand(shape).contiguous()
            outputs[layer["name"]] = F.relu(total) if layer["relu"] else total
        return outputs[self.description["output"]]


def load_module(path: Path) -> tuple:
    with safe_open(str(path), framework="pt") as file:
        description = json.loads(file.metadata()["compactNetwork"])
    module = CompactModule(description, load_file(str(path))).eval()
    return module, description


def check_logits(module: CompactModule, description: dict, logits_path: Path) -> float:
    """The largest absolute difference between the module's logits and ilnas evaluate's on the same test images."""
    reference = load_file(str(logits_path))
    spec = description["input"]
    shape = (1, -1) + (1,) * (len(spec["shape"]) - 1)
    images = (reference["images"] - torch.tensor(spec["mean"]).reshape(shape)) / torch.tensor(spec["standardDeviation"]).reshape(shape)
    with torch.inference_mode():
        ours = module(images)
    return float((ours - reference["logits"]).abs().max())


def time_torch(module: CompactModule, shape: list, threads: int, batch: int, warmup: int, steps: int) -> float:
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    x = torch.randn(batch, *shape)
    times = []
    with torch.inference_mode():
        for _ in range(warmup):
            module(x)
        for _ in range(steps):
            start = time.perf_counter()
            module(x)
            times.append(time.perf_counter() - start)
    return batch / statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", nargs="+", required=True, help="ilnas search run folders")
    parser.add_argument("--data", required=True, help="the dataset folder the runs searched on")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--steps", type=int, default=15)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--tolerance", type=float, default=1e-4, help="largest logit difference accepted")
    args = parser.parse_args()

    release = Path(subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=PACKAGE, check=True,
                                  capture_output=True, text=True).stdout.strip())
    ilnas, benchmark = release / "ilnas", release / "InferenceBenchmark"
    torch.set_num_interop_threads(1)
    print(f"torch {torch.__version__}, batch {args.batch}, {args.rounds} rounds, {args.steps} timed batches each", flush=True)

    modules = {}
    with tempfile.TemporaryDirectory() as folder:
        for run in args.runs:
            export, logits = Path(folder) / "compact.safetensors", Path(folder) / "logits.safetensors"
            subprocess.run([str(ilnas), "export", run, "--format", "safetensors", "--out", str(export)], check=True,
                           stdout=subprocess.DEVNULL)
            subprocess.run([str(ilnas), "evaluate", run, "--data", args.data, "--logits", str(logits),
                            "--logit-count", "200"], check=True, stdout=subprocess.DEVNULL)
            module, description = load_module(export)
            difference = check_logits(module, description, logits)
            print(f"{run}: PyTorch logits within {difference:.2e} of ilnas evaluate's", flush=True)
            if not difference <= args.tolerance:
                print(f"error: {run}: PyTorch's logits differ by {difference} > {args.tolerance}", file=sys.stderr)
                return 1
            modules[run] = (module, description["input"]["shape"])

    rows = {}
    for round_index in range(args.rounds):
        for run in args.runs:
            for threads in args.threads:
                swift = json.loads(subprocess.run(
                    [str(benchmark), run, "--threads", str(threads), "--batch", str(args.batch), "--steps", str(args.steps),
                     "--warmup", str(args.warmup)], check=True, capture_output=True, text=True).stdout)
                assert swift["logitsFinite"], swift
                module, shape = modules[run]
                pytorch = time_torch(module, shape, threads, args.batch, args.warmup, args.steps)
                row = rows.setdefault((run, threads), {"compact": [], "masked": [], "torch": [], "cm": [], "ct": [], "mt": [],
                                                         "layouts": swift["layouts"], "diff": swift["maximumLogitDifference"]})
                row["compact"].append(swift["compactImagesPerSecond"])
                row["masked"].append(swift["maskedImagesPerSecond"])
                row["torch"].append(pytorch)
                row["cm"].append(swift["compactOverMasked"])
                row["ct"].append(swift["compactImagesPerSecond"] / pytorch)
                row["mt"].append(swift["maskedImagesPerSecond"] / pytorch)
                print(f"round {round_index + 1} {run} threads {threads}: compact {swift['compactImagesPerSecond']:.0f}, "
                      f"masked {swift['maskedImagesPerSecond']:.0f}, torch {pytorch:.0f} img/s", flush=True)

    median = statistics.median
    print("\n| run | threads | sparse connections | compact img/s | masked img/s | PyTorch img/s "
          "| compact / masked | compact / PyTorch | masked / PyTorch |")
    print("|---|---|---|---|---|---|---|---|---|")
    for (run, threads), row in rows.items():
        sparse = sum(layout == "sparse" for layout in row["layouts"])
        print(f"| {Path(run).name} | {threads} | {sparse} of {len(row['layouts'])} | {median(row['compact']):.0f} | "
              f"{median(row['masked']):.0f} | {median(row['torch']):.0f} | {median(row['cm']):.2f} | "
              f"{median(row['ct']):.2f} | {median(row['mt']):.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
