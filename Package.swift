// swift-tools-version:6.1
import PackageDescription

/// What every experiment program of the paper depends on.
let experimentDependencies: [Target.Dependency] = [
    "ExperimentSupport", .product(name: "ArgumentParser", package: "swift-argument-parser"),
]

/// Module layout (arrows point one way):
///   CBLAS, CZlib, CJPEG, CPNG, CHeap (system libraries: OpenBLAS/LAPACKE, zlib, libjpeg-turbo, libpng, glibc malloc tuning)
///   CConvolution        (C) direct small-channel convolution kernels, Winograd transforms and im2col unfolding for AVX-512, AVX2 and the baseline, chosen at run time
///   TensorCore          <- CBLAS, CHeap, CConvolution   tensors, BLAS, kernels with forward/backward, random numbers, threads
///   NeuralNetwork       <- TensorCore     parameters with architecture masks, layers, optimizers
///   Datasets            <- TensorCore, CZlib, CJPEG, CPNG  IDX/CSV/CIFAR/STL-10 readers, JPEG/PNG image folders, data loader, augmentation
///   Serialization       <- TensorCore     safetensors reader and writer, hardened against hostile files, checksums; atomic file writes
///   Training            <- NeuralNetwork, Datasets, Serialization  training loop with typed events and callbacks
///   ArchitectureSearch  <- Training, Datasets, Serialization  growing networks (saved as safetensors), granularities, the architecture optimizer
///   ModelExport         <- ArchitectureSearch, Serialization, SwiftProtobuf  compaction of a grown network (absent
///                          channels, kernels and connections taken out), its inference with each weight dense or
///                          sparse by density, safetensors and ONNX export; the ONNX types
///                          are generated once from onnx.proto (Scripts/onnx), so only swift-protobuf's runtime library
///                          is a dependency, not its build plugin
///   SVGCharts           (no dependencies) line and bar charts, heatmaps and layered graphs drawn as SVG
///   ilnas, Examples/*   <- the above
///   ExperimentSupport   <- Datasets, TensorCore, CPNG  shared code of the paper's experiments (Table1Budgets, Table2ImageNet,
///                       Figure5Baselines, TransferSTL10, TransferMNIST, MultiTask), which run the ilnas executable; Plugins/Reproduce builds and runs them
///   MPIEquivalence      <- ArchitectureSearch, MPICommunication  `mpirun -np 2` and `-np 3`: data-parallel search = one process
///   SafetensorsInterop  <- Serialization  Swift side of Scripts/interop/check_safetensors.py
///   CMPI, MPICommunication <- TensorCore   (trait `MPI` only) Open MPI as a Communicator for data-parallel training;
///                       ilnas and MPIEquivalence use it when built with `--traits MPI`, nothing else needs Open MPI
let package = Package(
    name: "ILNAS",
    products: [
        .library(name: "TensorCore", targets: ["TensorCore"]),
        .library(name: "NeuralNetwork", targets: ["NeuralNetwork"]),
        .library(name: "Datasets", targets: ["Datasets"]),
        .library(name: "Training", targets: ["Training"]),
        .library(name: "ArchitectureSearch", targets: ["ArchitectureSearch"]),
        .library(name: "Serialization", targets: ["Serialization"]),
        .library(name: "ModelExport", targets: ["ModelExport"]),
        .executable(name: "ilnas", targets: ["ilnas"]),
    ],
    traits: [
        .trait(name: "MPI", description: "Data-parallel training and search over Open MPI (needs libopenmpi-dev): mpirun -np N ilnas search"),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // Only for `swift package generate-documentation` (the DocC catalogs); no target depends on it.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
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
        .systemLibrary(
            name: "CJPEG",
            pkgConfig: "libjpeg",
            providers: [.apt(["libjpeg62-turbo-dev"])]
        ),
        .systemLibrary(
            name: "CPNG",
            pkgConfig: "libpng",
            providers: [.apt(["libpng-dev"])]
        ),
        .systemLibrary(name: "CHeap"),
        .systemLibrary(
            name: "CMPI",
            pkgConfig: "ompi-c",
            providers: [.apt(["libopenmpi-dev"])]
        ),
        .target(name: "MPICommunication", dependencies: [.target(name: "CMPI", condition: .when(traits: ["MPI"])), "TensorCore"]),
        .target(name: "CConvolution", exclude: ["kernels.inc", "implicit_gemm_kernels.inc"]),
        .target(name: "TensorCore", dependencies: ["CBLAS", "CHeap", "CConvolution"]),
        .target(name: "NeuralNetwork", dependencies: ["TensorCore"]),
        .target(name: "Datasets", dependencies: ["TensorCore", "CZlib", "CJPEG", "CPNG"], resources: [.copy("Resources/digits.csv.gz")]),
        .target(name: "Serialization", dependencies: ["TensorCore"]),
        .target(name: "Training", dependencies: ["NeuralNetwork", "Datasets", "Serialization", "TensorCore"]),
        .target(name: "ArchitectureSearch", dependencies: ["Training", "Datasets", "NeuralNetwork", "Serialization", "TensorCore"]),
        .target(
            name: "ModelExport",
            dependencies: [
                "ArchitectureSearch", "NeuralNetwork", "Serialization", "TensorCore",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),
        .target(name: "SVGCharts"),
        .executableTarget(
            name: "ilnas",
            dependencies: [
                "ArchitectureSearch", "Training", "Datasets", "ModelExport", "NeuralNetwork", "Serialization", "SVGCharts", "TensorCore",
                .target(name: "MPICommunication", condition: .when(traits: ["MPI"])),
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
            exclude: ["run.sh", "cpu_time_comparison.py"]
        ),
        .executableTarget(
            name: "InferenceBenchmark",
            dependencies: ["ArchitectureSearch", "ModelExport", "TensorCore"],
            path: "Examples/InferenceBenchmark",
            exclude: ["compare_pytorch.py"]
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
            dependencies: ["Datasets", "TensorCore", "CPNG", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Examples/ExperimentSupport"
        ),
        .executableTarget(name: "Table1Budgets", dependencies: experimentDependencies, path: "Examples/Table1Budgets"),
        .executableTarget(name: "Figure5Baselines", dependencies: experimentDependencies, path: "Examples/Figure5Baselines"),
        .executableTarget(name: "TransferSTL10", dependencies: experimentDependencies, path: "Examples/TransferSTL10"),
        .executableTarget(name: "TransferMNIST", dependencies: experimentDependencies, path: "Examples/TransferMNIST"),
        .executableTarget(name: "MultiTask", dependencies: experimentDependencies, path: "Examples/MultiTask"),
        .executableTarget(name: "Table2ImageNet", dependencies: experimentDependencies, path: "Examples/Table2ImageNet"),
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
            exclude: ["check_onnx.py", "check_safetensors.py", "check_tensorboard.py"]
        ),
        .executableTarget(
            name: "MPIEquivalence",
            dependencies: [
                "ArchitectureSearch", "Training", "Datasets", "NeuralNetwork", "TensorCore",
                .target(name: "MPICommunication", condition: .when(traits: ["MPI"])),
            ],
            path: "Tests/MPIEquivalence"
        ),
        .target(name: "TestSupport", dependencies: ["TensorCore"], path: "Tests/TestSupport"),
        .testTarget(name: "TensorCoreTests", dependencies: ["TensorCore", "CConvolution", "TestSupport"]),
        .testTarget(name: "NeuralNetworkTests", dependencies: ["NeuralNetwork", "TensorCore", "TestSupport"]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "TensorCore", "TestSupport"]),
        .testTarget(name: "TrainingTests",
                    dependencies: ["Training", "Datasets", "NeuralNetwork", "Serialization", "TensorCore", "TestSupport"]),
        .testTarget(name: "ArchitectureSearchTests",
                    dependencies: ["ArchitectureSearch", "Training", "Datasets", "NeuralNetwork", "Serialization", "TensorCore", "TestSupport"]),
        .testTarget(name: "SerializationTests", dependencies: ["Serialization", "TensorCore", "TestSupport"]),
        .testTarget(name: "ModelExportTests",
                    dependencies: ["ModelExport", "ilnas", "ArchitectureSearch", "NeuralNetwork", "Serialization", "TensorCore", "TestSupport", "Training"]),
        .testTarget(name: "ExperimentSupportTests", dependencies: ["ExperimentSupport", "Datasets", "TensorCore"]),
        .testTarget(name: "ilnasTests", dependencies: ["ilnas", "ArchitectureSearch", "Datasets", "ModelExport", "Serialization", "SVGCharts", "TensorCore", "TestSupport", "Training"]),
    ]
)
