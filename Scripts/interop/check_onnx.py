"""Checks `ilnas export` against onnxruntime, onnx's checker and a numpy re-implementation of the safetensors export.

Not part of `swift test`. Needs a Python with onnx, onnxruntime, safetensors and numpy (all from PyPI):

    python3 -m venv /tmp/onnx-venv && /tmp/onnx-venv/bin/pip install onnx onnxruntime safetensors numpy
    /tmp/onnx-venv/bin/python Scripts/interop/check_onnx.py runs/digits
    /tmp/onnx-venv/bin/python Scripts/interop/check_onnx.py runs/mnist --data ../shared/datasets/mnist

RUN is a folder written by `ilnas search`; give `--data DIR` when the run was not on the embedded digits. The script
builds `ilnas` in release mode (`nice -n 19 swift build -c release --product ilnas`; `--ilnas PATH` uses another
executable), then:

1. `ilnas export RUN --format onnx` and `--format safetensors` write the compacted network to a temporary folder;
2. `ilnas evaluate RUN --logits FILE --logit-count N` writes the first N test images (pixels in [0, 1], before
   normalisation), their labels and the logits of the run's masked network (`model.safetensors`);
3. `onnx.checker.check_model` (full check, with shape inference) accepts the ONNX model, whose opset must be 13 or
   later, with input `pixels` and output `logits`;
4. onnxruntime runs the ONNX model on the raw images (the graph normalises them itself);
5. numpy runs the compacted safetensors from its metadata description alone (float64), normalising the images with
   the mean and standard deviation the description records.

Both sets of logits must equal the masked network's within 1e-4 (max absolute difference); the script prints one JSON
line with the differences and "export interop OK", and exits with status 0. Otherwise an assertion names the failure.
"""

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import onnx
import onnxruntime
from safetensors import safe_open
from safetensors.numpy import load_file

PACKAGE = Path(__file__).resolve().parents[2]
TOLERANCE = 1e-4


def build_ilnas() -> Path:
    """Builds ilnas in release mode and returns its path."""
    command = ["nice", "-n", "19", "swift", "build", "-c", "release", "--product", "ilnas"]
    subprocess.run(command, cwd=PACKAGE, check=True, stdout=subprocess.DEVNULL)
    bin_path = subprocess.run(command[3:7] + ["--show-bin-path"], cwd=PACKAGE, check=True,
                              capture_output=True, text=True).stdout.strip()
    return Path(bin_path) / "ilnas"


def run(ilnas: Path, *arguments: str) -> str:
    result = subprocess.run([str(ilnas), *arguments], capture_output=True, text=True)
    assert result.returncode == 0, f"ilnas {' '.join(arguments)} failed ({result.returncode}): {result.stderr}"
    return result.stdout


def numpy_forward(path: Path, images: np.ndarray) -> np.ndarray:
    """The logits of the compacted safetensors export, computed from its tensors and metadata description alone."""
    with safe_open(str(path), framework="numpy") as file:
        description = json.loads(file.metadata()["compactNetwork"])
    tensors = {name: value.astype(np.float64) for name, value in load_file(str(path)).items()}
    assert description["format"] == 1, description["format"]
    assert not any(name.endswith(".mask") for name in tensors), "masks in the compacted export"
    spec = description["input"]
    assert list(images.shape[1:]) == spec["shape"], (images.shape, spec["shape"])
    channel_shape = (1, -1) + (1,) * (len(spec["shape"]) - 1)
    mean = np.asarray(spec["mean"], dtype=np.float64).reshape(channel_shape)
    deviation = np.asarray(spec["standardDeviation"], dtype=np.float64).reshape(channel_shape)
    outputs = {"input": (images.astype(np.float64) - mean) / deviation}

    def reduce(x: np.ndarray, reduction: str) -> np.ndarray:
        if reduction == "identity":
            return x
        if reduction == "maxPool":
            n, c, h, w = x.shape
            return x[:, :, : h // 2 * 2, : w // 2 * 2].reshape(n, c, h // 2, 2, w // 2, 2).max(axis=(3, 5))
        if reduction == "globalAveragePool":
            return x.mean(axis=(2, 3))
        if reduction == "flatten":
            return x.reshape(x.shape[0], -1)
        raise AssertionError(f"unknown reduction {reduction}")

    def convolve(x: np.ndarray, weight: np.ndarray, padding: int) -> np.ndarray:
        n, c, h, w = x.shape
        k = weight.shape[2]
        padded = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
        out = np.zeros((n, weight.shape[0], h + 2 * padding - k + 1, w + 2 * padding - k + 1))
        for dy in range(k):
            for dx in range(k):
                window = padded[:, :, dy : dy + out.shape[2], dx : dx + out.shape[3]]
                out += np.einsum("oc,nchw->nohw", weight[:, :, dy, dx], window)
        return out

    for layer in description["layers"]:
        bias = tensors[layer["bias"]]
        total = None
        for source in layer["inputs"]:
            x = reduce(outputs[source["from"]], source["reduction"])
            weight = tensors[source["weight"]]
            term = convolve(x, weight, layer["padding"]) if layer["kind"] == "convolution" else x @ weight.T
            total = term if total is None else total + term
        shape = (images.shape[0], *layer["outputShape"])
        bias_shape = (1, -1) + (1,) * (len(layer["outputShape"]) - 1)
        total = (np.zeros(shape) if total is None else total) + bias.reshape(bias_shape)
        outputs[layer["name"]] = np.maximum(total, 0) if layer["relu"] else total
    return outputs[description["output"]]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("run", help="a run folder written by ilnas search")
    parser.add_argument("--data", help="the run's dataset folder (default: the embedded digits)")
    parser.add_argument("--count", type=int, default=100, help="test images compared (default 100)")
    parser.add_argument("--ilnas", help="the ilnas executable (default: build it in release mode)")
    options = parser.parse_args()
    ilnas = Path(options.ilnas) if options.ilnas else build_ilnas()
    data = ["--data", options.data] if options.data else []

    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        onnx_path, compact_path, logits_path = scratch / "model.onnx", scratch / "compact.safetensors", scratch / "logits.safetensors"
        exported = json.loads(run(ilnas, "export", options.run, "--format", "onnx", "--out", str(onnx_path)))
        run(ilnas, "export", options.run, "--format", "safetensors", "--out", str(compact_path))
        run(ilnas, "evaluate", options.run, *data, "--logits", str(logits_path), "--logit-count", str(options.count))
        reference = load_file(str(logits_path))
        images, labels, logits = reference["images"], reference["labels"], reference["logits"]
        assert images.dtype == np.float32 and images.min() >= 0 and images.max() <= 1, "images not pixels in [0, 1]"

        model = onnx.load(str(onnx_path))
        onnx.checker.check_model(model, full_check=True)
        opsets = {entry.domain: entry.version for entry in model.opset_import}
        assert opsets.get("", 0) >= 13, f"opset {opsets}"
        assert [value.name for value in model.graph.input] == ["pixels"], model.graph.input
        assert [value.name for value in model.graph.output] == ["logits"], model.graph.output

        session = onnxruntime.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
        onnx_logits = session.run(["logits"], {"pixels": images})[0]
        numpy_logits = numpy_forward(compact_path, images)

    onnx_difference = float(np.abs(onnx_logits - logits).max())
    numpy_difference = float(np.abs(numpy_logits - logits).max())
    report = {
        "run": options.run, "images": int(images.shape[0]), "opset": opsets[""],
        "onnxMaxAbsDifference": onnx_difference, "safetensorsNumpyMaxAbsDifference": numpy_difference,
        "largestLogit": float(np.abs(logits).max()),
        "accuracyMasked": float((logits.argmax(1) == labels).mean()),
        "accuracyONNX": float((onnx_logits.argmax(1) == labels).mean()),
        "parameterCount": exported["parameterCount"], "storedParameterCount": exported["storedParameterCount"],
    }
    print(json.dumps(report))
    assert onnx_difference <= TOLERANCE, f"onnxruntime logits differ by {onnx_difference}"
    assert numpy_difference <= TOLERANCE, f"numpy logits of the safetensors export differ by {numpy_difference}"
    print("export interop OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
