"""Checks that the Swift Serialization module and Python's safetensors read each other's files.

Not part of `swift test`. Run it from anywhere, with a Python that has safetensors and numpy:

    python3 -m venv /tmp/st-venv && /tmp/st-venv/bin/pip install safetensors numpy
    /tmp/st-venv/bin/python Scripts/interop/check_safetensors.py

It builds the SafetensorsInterop executable (Scripts/interop/main.swift) with `nice -n 19 swift build`, then:

1. Swift -> Python: the executable writes its reference tensors (every element type, a scalar, an empty
   tensor, special floats, names and metadata that need escaping) and prints what it wrote; safetensors
   loads the file, and names, dtypes, shapes, bit patterns and metadata must match. The raw header must be
   padded to a multiple of 8 bytes and list the tensors sorted by name, their data contiguous in that order.
2. Python -> Swift: numpy arrays of every supported dtype are saved with safetensors (which orders the data
   by dtype, not by name); the executable reads the file and prints it, and everything must match.
3. A float16 tensor saved by safetensors is rejected by the executable with an error naming the file and dtype.

It prints "interop OK" and exits with status 0 when every check passes; otherwise an assertion names the failure.
"""

import json
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from safetensors import safe_open
from safetensors.numpy import save_file

PACKAGE = Path(__file__).resolve().parents[2]
DTYPES = {np.float32: "F32", np.float64: "F64", np.int64: "I64", np.uint8: "U8", np.bool_: "BOOL"}


def build_executable() -> Path:
    """Builds SafetensorsInterop and returns its path."""
    command = ["nice", "-n", "19", "swift", "build", "--product", "SafetensorsInterop"]
    subprocess.run(command, cwd=PACKAGE, check=True, stdout=subprocess.DEVNULL)
    bin_path = subprocess.run(command[3:5] + ["--show-bin-path"], cwd=PACKAGE, check=True,
                              capture_output=True, text=True).stdout.strip()
    return Path(bin_path) / "SafetensorsInterop"


def run(executable: Path, action: str, path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(executable), action, str(path)], capture_output=True, text=True)


def listing_of(array: np.ndarray) -> dict:
    """An array as the executable lists it: dtype, shape, and values (float bit patterns, F64 as int64)."""
    dtype = DTYPES[array.dtype.type]
    flat = array.ravel()
    if dtype == "F32":
        values = flat.view(np.uint32).astype(np.int64)
    elif dtype == "F64":
        values = flat.view(np.int64)
    else:
        values = flat.astype(np.int64)
    return {"dtype": dtype, "shape": list(array.shape), "values": values.tolist()}


def check_swift_to_python(executable: Path, folder: Path) -> int:
    path = folder / "from_swift.safetensors"
    result = run(executable, "write", path)
    assert result.returncode == 0, result.stderr
    written = json.loads(result.stdout)

    with safe_open(str(path), framework="np") as file:
        metadata = file.metadata() or {}
        loaded = {name: file.get_tensor(name) for name in file.keys()}
    assert metadata == written["metadata"], (metadata, written["metadata"])
    assert sorted(loaded) == sorted(written["tensors"]), (sorted(loaded), sorted(written["tensors"]))
    for name, array in loaded.items():
        assert listing_of(array) == written["tensors"][name], (name, listing_of(array), written["tensors"][name])

    raw = path.read_bytes()
    (header_length,) = struct.unpack("<Q", raw[:8])
    assert header_length % 8 == 0, header_length
    header = json.loads(raw[8:8 + header_length])
    names = [name for name in header if name != "__metadata__"]
    assert names == sorted(names, key=lambda name: name.encode()), names
    offsets = [header[name]["data_offsets"] for name in names]
    assert offsets[0][0] == 0 and all(a[1] == b[0] for a, b in zip(offsets, offsets[1:])), offsets
    assert 8 + header_length + offsets[-1][1] == len(raw)
    return len(loaded)


def check_python_to_swift(executable: Path, folder: Path) -> int:
    random = np.random.default_rng(7)
    arrays = {
        "weights": random.standard_normal((3, 4)).astype(np.float32),
        "specials": np.array([np.nan, -0.0, np.inf, -np.inf, 1e-45, 3.4028235e38], dtype=np.float32),
        "doubles": np.array([[np.pi, -1e-300, 5e-324], [-0.0, np.inf, np.nan]]),
        "steps": np.array([[np.iinfo(np.int64).min, -1], [2**53 + 1, np.iinfo(np.int64).max]], dtype=np.int64),
        "bytes": np.arange(256, dtype=np.uint8).reshape(16, 16),
        "flags": np.array([True, False, True]),
        "scalar": np.array(2.5),
        "empty": np.zeros((0, 3), dtype=np.float32),
        "unicode ☃ \"name\"": np.array([7], dtype=np.int64),
    }
    arrays["specials"].view(np.uint32)[0] = 0x7FC01234  # a NaN with a payload
    metadata = {"framework": "numpy", "note": "snowman ☃, quote \", backslash \\, newline \n"}
    path = folder / "from_python.safetensors"
    save_file(arrays, str(path), metadata=metadata)

    result = run(executable, "read", path)
    assert result.returncode == 0, result.stderr
    read = json.loads(result.stdout)
    assert read["metadata"] == metadata, (read["metadata"], metadata)
    assert sorted(read["tensors"]) == sorted(arrays), (sorted(read["tensors"]), sorted(arrays))
    for name, array in arrays.items():
        assert read["tensors"][name] == listing_of(array), (name, read["tensors"][name], listing_of(array))
    return len(arrays)


def check_unknown_dtype_is_rejected(executable: Path, folder: Path) -> str:
    path = folder / "half.safetensors"
    save_file({"half": np.zeros(2, dtype=np.float16)}, str(path))
    result = run(executable, "read", path)
    assert result.returncode == 1, (result.returncode, result.stdout)
    expected = f'{path}: tensor "half": unknown dtype "F16"'
    assert result.stderr.startswith(expected), result.stderr
    return result.stderr.strip()


def main() -> None:
    executable = build_executable()
    with tempfile.TemporaryDirectory() as folder:
        written = check_swift_to_python(executable, Path(folder))
        read = check_python_to_swift(executable, Path(folder))
        rejection = check_unknown_dtype_is_rejected(executable, Path(folder))
    print(f"Swift -> Python: {written} tensors match")
    print(f"Python -> Swift: {read} tensors match")
    print(f"float16 rejected: {rejection}")
    print("interop OK")


if __name__ == "__main__":
    sys.exit(main())
