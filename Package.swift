// swift-tools-version:6.0
import PackageDescription

/// What every experiment program of the paper depends on.
let experimentDependencies: [Target.Dependency] = [
    "ExperimentSupport", .product(name: "ArgumentParser", package: "swift-argument-parser"),
]

/// Module layout (arrows point one way):
///   CBLAS, CZlib, CHeap (system libraries: OpenBLAS/LAPACKE, zlib, glibc malloc tuning)
///   TensorCore          <- CBLAS, CHeap   tensors, BLAS, kernels with forward/backward, random numbers, threads
///   NeuralNetwork       <- TensorCore     parameters with architecture masks, layers, optimizers
///   Datasets            <- TensorCore, CZlib  IDX/CSV/CIFAR/STL-10 readers, data loader, augmentation
///   Serialization       <- TensorCore     safetensors reader and writer, hardened against hostile files, checksums; atomic file writes
///   Training            <- NeuralNetwork, Datasets, Serialization  training loop with typed events and callbacks
///   ArchitectureSearch  <- Training, Serialization  growing networks (saved as safetensors), granularities, the architecture optimizer
///   SVGCharts           (no dependencies) line and bar charts, heatmaps and layered graphs drawn as SVG
///   ilnas, Examples/*   <- the above
///   ExperimentSupport   <- Datasets, TensorCore  shared code of the paper's experiments (Table1Budgets, Figure5Baselines,
///                       TransferSTL10, TransferMNIST), which run the ilnas executable; Plugins/Reproduce builds and runs them
///   SafetensorsInterop  <- Serialization  Swift side of Scripts/interop/check_safetensors.py
let package = Package(
    name: "ILNAS",
    products: [
        .library(name: "TensorCore", targets: ["TensorCore"]),
        .library(name: "NeuralNetwork", targets: ["NeuralNetwork"]),
        .library(name: "Datasets", targets: ["Datasets"]),
        .library(name: "Training", targets: ["Training"]),
        .library(name: "ArchitectureSearch", targets: ["ArchitectureSearch"]),
        .library(name: "Serialization", targets: ["Serialization"]),
        .executable(name: "ilnas", targets: ["ilnas"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev", "liblapacke-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .systemLibrary(name: "CHeap"),
        .target(name: "TensorCore", dependencies: ["CBLAS", "CHeap"]),
        .target(name: "NeuralNetwork", dependencies: ["TensorCore"]),
        .target(name: "Datasets", dependencies: ["TensorCore", "CZlib"], resources: [.copy("Resources/digits.csv.gz")]),
        .target(name: "Serialization", dependencies: ["TensorCore"]),
        .target(name: "Training", dependencies: ["NeuralNetwork", "Datasets", "Serialization", "TensorCore"]),
        .target(name: "ArchitectureSearch", dependencies: ["Training", "NeuralNetwork", "Serialization", "TensorCore"]),
        .target(name: "SVGCharts"),
        .executableTarget(
            name: "ilnas",
            dependencies: [
                "ArchitectureSearch", "Training", "Datasets", "NeuralNetwork", "Serialization", "SVGCharts", "TensorCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "LeNetMNIST",
            dependencies: [
                "TensorCore", "NeuralNetwork", "Datasets", "Training",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Examples/LeNetMNIST"
        ),
        .executableTarget(
            name: "Benchmarks",
            dependencies: ["TensorCore", "NeuralNetwork", "Training", "Datasets", "CBLAS"],
            path: "Examples/Benchmarks",
            exclude: ["run.sh"]
        ),
        .executableTarget(
            name: "CustomGranularity",
            dependencies: ["ArchitectureSearch", "Training", "Datasets", "NeuralNetwork", "TensorCore"],
            path: "Examples/CustomGranularity"
        ),
        .executableTarget(
            name: "LeNetSearch",
            dependencies: [
                "ArchitectureSearch", "Training", "Datasets", "NeuralNetwork", "TensorCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Examples/LeNetSearch"
        ),
        .target(
            name: "ExperimentSupport",
            dependencies: ["Datasets", "TensorCore", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Examples/ExperimentSupport"
        ),
        .executableTarget(name: "Table1Budgets", dependencies: experimentDependencies, path: "Examples/Table1Budgets"),
        .executableTarget(name: "Figure5Baselines", dependencies: experimentDependencies, path: "Examples/Figure5Baselines"),
        .executableTarget(name: "TransferSTL10", dependencies: experimentDependencies, path: "Examples/TransferSTL10"),
        .executableTarget(name: "TransferMNIST", dependencies: experimentDependencies, path: "Examples/TransferMNIST"),
        .plugin(
            name: "Reproduce",
            capability: .command(
                intent: .custom(verb: "reproduce",
                                description: "Build the paper's experiments in release, run them (quick or paper scale) and write results/<experiment>.md"),
                permissions: [.writeToPackageDirectory(reason: "The experiments write their tables to results/ and their ilnas runs to runs/reproduce/")]
            )
        ),
        .executableTarget(
            name: "SafetensorsInterop",
            dependencies: ["Serialization", "TensorCore"],
            path: "Scripts/interop",
            exclude: ["check_safetensors.py", "check_tensorboard.py"]
        ),
        .target(name: "TestSupport", dependencies: ["TensorCore"], path: "Tests/TestSupport"),
        .testTarget(name: "TensorCoreTests", dependencies: ["TensorCore", "TestSupport"]),
        .testTarget(name: "NeuralNetworkTests", dependencies: ["NeuralNetwork", "TensorCore", "TestSupport"]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "TensorCore", "TestSupport"]),
        .testTarget(name: "TrainingTests",
                    dependencies: ["Training", "Datasets", "NeuralNetwork", "Serialization", "TensorCore", "TestSupport"]),
        .testTarget(name: "ArchitectureSearchTests",
                    dependencies: ["ArchitectureSearch", "Training", "NeuralNetwork", "Serialization", "TensorCore", "TestSupport"]),
        .testTarget(name: "SerializationTests", dependencies: ["Serialization", "TensorCore", "TestSupport"]),
        .testTarget(name: "ExperimentSupportTests", dependencies: ["ExperimentSupport"]),
        .testTarget(name: "ilnasTests", dependencies: ["ilnas", "ArchitectureSearch", "Datasets", "Serialization", "SVGCharts", "TensorCore", "TestSupport", "Training"]),
    ]
)
