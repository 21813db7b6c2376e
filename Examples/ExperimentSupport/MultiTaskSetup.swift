import Foundation

/// The runs of Table 3 (Section 4.2: two datasets on one network, part of its weights shared, the outputs separate)
/// and of the two baselines of the same total budget (two separate networks, one joint network), as
/// `ilnas multitask` options.
///
/// Paper scale runs a convolutional trunk (`--trunk conv`: Section 4.1's dimension-preserving 3x3 convolutions with
/// 2x2 max-pool reductions between them, up to the paper's limit of 1024 channels) with one dense output layer per
/// task; quick scale keeps the fully connected trunk (`--hidden`), which learns within its few epochs on 8x8 images.
public struct MultiTaskSetup: Sendable {
    /// A row of the paper's Table 3.
    public struct PaperRow: Sendable, Equatable {
        public let datasets: [PaperDataset]
        /// The shared fraction of the parameters, as `--shared`.
        public let shared: Double
        public let budget: Int
        /// Each task's test accuracy in percent as the paper prints it (ImageNet's as top-1 / top-5).
        public let accuracies: [String]

        /// The datasets as the paper's Table 3 writes them, e.g. "(CIFAR-10, MNIST)".
        public var datasetText: String { "(" + datasets.map(\.name).joined(separator: ", ") + ")" }
        /// E.g. "20.0%", "33.3%".
        public var sharedText: String { sharedPercent(shared) }
        /// Each task's top-1 accuracy (the first number the paper prints).
        public var topOneAccuracies: [Double?] {
            accuracies.map { Double($0.prefix { $0.isNumber || $0 == "." }) }
        }
    }

    /// Table 3, verbatim.
    public static let paperRows: [PaperRow] = [
        PaperRow(datasets: [.cifar10, .mnist], shared: 0.2, budget: 5_000_000, accuracies: ["95.54", "99.50"]),
        PaperRow(datasets: [.cifar10, .fashionMNIST], shared: 0.2, budget: 5_000_000, accuracies: ["95.16", "94.23"]),
        PaperRow(datasets: [.cifar10, .fashionMNIST], shared: 0.333, budget: 4_500_000, accuracies: ["94.12", "94.45"]),
        PaperRow(datasets: [.imageNet, .cifar10], shared: 0.333, budget: 7_500_000, accuracies: ["71.2 / 87.4", "92.36"]),
    ]

    /// The datasets of every paper-scale run.
    public static var paperData: [PaperDataset] {
        paperRows.flatMap(\.datasets).reduce(into: []) { if !$0.contains($1) { $0.append($1) } }
    }

    /// Quick scale: the total budget of every run, its training epochs, the trunk and the input side.
    public static let quickBudget = 20_000
    public static let quickEpochs = 20
    public static let quickHidden = "256,128"
    public static let quickInputSide = 8
    /// Paper scale: Table 1's epochs (Table 3's are not stated) and a convolutional trunk with room for the 7.5M budget
    /// of (ImageNet, CIFAR-10) at 32x32 inputs with candidates to spare (15.7M weights; 1024 channels is the paper's
    /// limit).
    public static let paperEpochs = 500
    public static let paperConvChannels = "128,256,512,1024,1024"

    /// One `ilnas multitask` run.
    public struct Run: Sendable, Equatable {
        /// The run folder below the runs folder.
        public let name: String
        /// `--data`, one per task, in the order of the paper's pair.
        public let data: [String]
        /// `nil` for the multi-task search, else `separate` or `joint`.
        public let baseline: String?
        public let shared: Double
        public let budget: Int
        public let arguments: [String]
    }

    public let scale: Scale

    public init(scale: Scale) {
        self.scale = scale
    }

    public var epochs: Int { scale == .paper ? Self.paperEpochs : Self.quickEpochs }

    /// The run of the multi-task search of `data` with `shared` of `budget`, or of a baseline (`separate`, `joint`).
    public func run(data: [String], shared: Double, budget: Int, baseline: String? = nil, label: String) -> Run {
        var arguments = data.flatMap { ["--data", $0] } + ["--budget", String(budget), "--epochs", String(epochs), "--seed", "0"]
        if let baseline { arguments += ["--baseline", baseline] } else { arguments += ["--shared", String(shared)] }
        switch scale {
        case .quick: arguments += ["--hidden", Self.quickHidden, "--input-size", String(Self.quickInputSide)]
        case .paper: arguments += ["--trunk", "conv", "--conv-channels", Self.paperConvChannels, "--batch-size", "128", "--frozen-fraction", "0.2"]
        }
        let name = "multitask-\(label)-" + (baseline ?? "shared-" + sharedPercent(shared).dropLast()) + "-" + parameterText(budget)
        return Run(name: name, data: data, baseline: baseline, shared: baseline == "joint" ? 1 : baseline == "separate" ? 0 : shared,
                   budget: budget, arguments: arguments)
    }

    /// The settings line of the report: the options every run shares.
    public var settings: String {
        "`ilnas multitask --data A --data B --budget N --shared F --epochs \(epochs) --seed 0 "
            + (scale == .quick ? "--hidden \(Self.quickHidden) --input-size \(Self.quickInputSide)`"
                : "--trunk conv --conv-channels \(Self.paperConvChannels) --batch-size 128 --frozen-fraction 0.2`")
            + "; the baselines replace `--shared F` by `--baseline separate` (one network per task, the budget split evenly, "
            + "as many steps) or `--baseline joint` (every trunk weight shared)"
    }
}

/// A fraction as the paper writes shares: 0.2 -> "20.0%", 0.333 -> "33.3%".
public func sharedPercent(_ fraction: Double) -> String { String(format: "%.1f%%", 100 * fraction) }
