#!/usr/bin/env python3
"""Check that TensorBoard itself reads the event files of a folder written by the Training module.

TensorBoard's EventAccumulator loads every event file in FOLDER (checking each record's CRCs); the script then
compares the scalar series it found with the expected ones, tag by tag: the same tags, and for each tag the same
steps with the same values (equal as 32-bit floats, the precision of `simple_value`).

The expectations are a JSON object mapping each tag to its points, `{"train/loss": [{"step": 1, "value": 2.3}]}`,
read from `expected_scalars.json` in FOLDER unless --expected names another file. The Swift test
`TensorBoardTests.testLoggerWritesEachEpochsScalars` leaves both in the folder named by TENSORBOARD_TEST_OUTPUT
(start from an empty folder: every event file in it is read). Not part of `swift test`. To run it:

    python3 -m venv /tmp/tb-venv && /tmp/tb-venv/bin/pip install tensorboard
    TENSORBOARD_TEST_OUTPUT=/tmp/tb-run nice -n 19 swift test --filter testLoggerWritesEachEpochsScalars
    /tmp/tb-venv/bin/python Scripts/interop/check_tensorboard.py /tmp/tb-run

It prints each tag with its points and exits with 0 when everything matches, 1 otherwise.
"""
import argparse
import json
import os
import struct
import sys

from tensorboard.backend.event_processing.event_accumulator import EventAccumulator


def as_float32(value):
    return struct.unpack("<f", struct.pack("<f", value))[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", help="a folder holding events.out.tfevents.* files")
    parser.add_argument("--expected", help="the expectations (default: FOLDER/expected_scalars.json)")
    arguments = parser.parse_args()
    with open(arguments.expected or os.path.join(arguments.folder, "expected_scalars.json")) as file:
        expected = {tag: [(point["step"], as_float32(point["value"])) for point in points]
                    for tag, points in json.load(file).items()}

    accumulator = EventAccumulator(arguments.folder, size_guidance={"scalars": 0})  # 0: keep every point
    accumulator.Reload()
    found = {tag: [(event.step, event.value) for event in accumulator.Scalars(tag)]
             for tag in accumulator.Tags()["scalars"]}

    failures, matching = [], 0
    for tag in sorted(expected.keys() | found.keys()):
        if tag not in found:
            failures.append(f"{tag}: expected, not in the event files")
        elif tag not in expected:
            failures.append(f"{tag}: in the event files, not expected")
        elif found[tag] != expected[tag]:
            failures.append(f"{tag}: found {found[tag]}, expected {expected[tag]}")
        else:
            print(f"ok {tag}: {found[tag]}")
            matching += 1
    for failure in failures:
        print(f"FAIL {failure}")
    print(f"{matching} tags match, {len(failures)} differ")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
