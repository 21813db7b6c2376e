#!/usr/bin/env bash
# Regenerates Sources/ModelExport/onnx.pb.swift from Scripts/onnx/onnx.proto. Run by hand, once per new onnx.proto:
# the package builds from the committed file and needs neither protoc nor swift-protobuf's build plugin.
#
# onnx.proto is the one of the onnx Python package 1.23.2 (site-packages/onnx/onnx.proto; `pip install onnx`).
# Needs protoc (Debian: apt-get install protobuf-compiler; 3.21.12 was used) and protoc-gen-swift built from
# swift-protobuf at the tag the package depends on (1.39.0):
#   git clone https://github.com/apple/swift-protobuf /tmp/swift-protobuf && cd /tmp/swift-protobuf
#   git checkout 1.39.0 && swift build -c release --product protoc-gen-swift   (a debug build, used for the
#   committed file, generates the same code)
# then: PROTOC_GEN_SWIFT=/tmp/swift-protobuf/.build/release/protoc-gen-swift Scripts/onnx/generate.sh
# The generated types are internal to ModelExport (Visibility=Internal): its public API is Data, not protobuf types.
set -euo pipefail
cd "$(dirname "$0")"
: "${PROTOC_GEN_SWIFT:?set PROTOC_GEN_SWIFT to the protoc-gen-swift executable}"
protoc --plugin=protoc-gen-swift="$PROTOC_GEN_SWIFT" --swift_opt=Visibility=Internal \
    --swift_out=../../Sources/ModelExport onnx.proto
