// swift-tools-version:6.0
import Foundation
import PackageDescription

/// libFuzzer targets for the readers of hostile files: IDX datasets, safetensors, and the structure of saved growing
/// networks. A package of their own, so that the main build needs no `-sanitize=fuzzer`; `Scripts/fuzz.sh` builds
/// them with `-sanitize=fuzzer,address` and runs each for a bounded time.
///
/// The ILNAS package is the folder above; SwiftPM names a path dependency after its folder, whatever the checkout is called.
let ilnas = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()

let package = Package(
    name: "ILNASFuzz",
    dependencies: [
        .package(path: ilnas.path),
    ],
    targets: [
        .target(name: "FuzzSupport"),
        .executableTarget(name: "FuzzIDX", dependencies: [
            "FuzzSupport", .product(name: "Datasets", package: ilnas.lastPathComponent),
        ]),
        .executableTarget(name: "FuzzSafetensors", dependencies: [
            "FuzzSupport", .product(name: "Serialization", package: ilnas.lastPathComponent),
        ]),
        .executableTarget(name: "FuzzGrowingNetwork", dependencies: [
            "FuzzSupport",
            .product(name: "ArchitectureSearch", package: ilnas.lastPathComponent),
            .product(name: "Serialization", package: ilnas.lastPathComponent),
        ]),
    ]
)
