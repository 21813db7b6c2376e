import ArchitectureSearch
import Foundation

/// Every option of `ilnas search` as the run resolved it (defaults filled in, the data folder made absolute, the
/// compute budget counted, the thread count in force): what `config.json` and each checkpoint of the run record, and
/// all that `ilnas resume` needs to rebuild the run.
struct SearchOptions: Codable, Equatable {
    /// The dataset folder, absolute; `nil` for the embedded digits.
    var data: String?
    /// The run folder whose final network this search keeps evolving (`--from`, absolute), if any.
    var from: String?
    var budget: Int
    /// Multiply-accumulates per image, when limited.
    var computeBudget: Int?
    var granularity: String
    var epochs: Int
    /// The initial A_lr, `nil` when chosen automatically (the value chosen is in the checkpoints' search state).
    var architectureLearningRate: Double?
    var architectureDecay: ExpansionSchedule.Decay
    var expandEvery: Double
    /// The random augmentation of training images (`--augment`, `--crop-padding`).
    var augment: Augmentation
    /// `--image-size`: the side images are resized to (for image folders, always set: the side decoded at); `nil`: as stored.
    var imageSize: Int?
    /// `--channels`: 1 or 3; `nil`: as stored.
    var channels: Int?
    /// `--image-cache`, absolute; `nil`: image folders cache inside the dataset's folder.
    var imageCache: String?
    var plateau: Bool
    var frozenFraction: Double
    var startFraction: Double
    var candidateFactor: Double
    var scoringBatches: Int
    var baseline: SearchCommand.Baseline
    var trials: Int
    var head: HeadReduction
    var template: SearchCommand.Template
    var seed: UInt64
    var threads: Int
    var batchSize: Int
    var learningRate: Float
    var weightDecay: Float
    /// 0: gradients are not clipped.
    var maximumGradientNorm: Float
    /// Epochs between checkpoints.
    var checkpointEvery: Int
    /// The output folder as given (`ilnas resume` works in the folder it is given, wherever the run was moved).
    var out: String
    var quiet: Bool

    /// The options that decide what a run computes, which the processes of a data-parallel run compare before their
    /// first step (`StartAgreement`): all but the compute threads (each process has its own), the output and printing
    /// options, and the folders' paths, which may differ between machines (their contents are compared instead).
    var agreementFields: SearchOptions {
        var fields = self
        fields.threads = 0
        fields.checkpointEvery = 0
        fields.out = ""
        fields.quiet = false
        fields.data = data.map { _ in "" }
        fields.from = from.map { _ in "" }
        fields.imageCache = nil
        return fields
    }

    /// How images are resized and given channels before normalisation.
    var images: ImagePreparation {
        ImagePreparation(imageSize: imageSize, channels: channels, imageCache: imageCache)
    }

    /// Whether the run is on the embedded digits.
    var isOnDigits: Bool { data == nil }

    /// The template of the convolutional search and of the fixed baseline.
    var convolutionalTemplate: ConvolutionalTemplate {
        ConvolutionalTemplate(stages: 2, channels: isOnDigits ? 4...8 : 8...12, density: 0.5,
                              hiddenWidth: isOnDigits ? 16...32 : 32...48, headReduction: head)
    }

    /// The parameter budget and, when limited, the compute budget.
    func searchBudget() throws -> SearchBudget {
        try SearchBudget(parameters: budget, multiplyAccumulates: computeBudget)
    }

    /// The levels the search grows at, coarse to fine.
    func granularityLevels() throws -> TopDownGranularity {
        try TopDownGranularity(parsing: granularity)
    }

    /// When the architecture grows and by how much.
    func expansionSchedule() throws -> ExpansionSchedule {
        try ExpansionSchedule(interval: expandEvery, plateau: plateau ? try GradientPlateau() : nil, frozenFraction: frozenFraction,
                              initialArchitectureLearningRate: architectureLearningRate, decay: architectureDecay,
                              scoringBatches: scoringBatches)
    }

    /// What is trained: the fixed baseline, a network grown by the gradient selection or at random, or the
    /// architecture of an earlier run trained anew.
    func trainedNetwork() throws -> SearchRun.Network {
        let selection: ArchitectureOptimizer.Selection = baseline == .random ? .random : .gradient
        if let from {
            let source = TransferSource(folder: RunFolder(path: from))
            return baseline == .retrained ? .retrained(source) : .evolved(source, selection: selection)
        }
        switch (baseline, template) {
        case (.fixed, .mlp): throw SearchError.invalidSetting("the fixed baseline is VGG-like and needs --template conv")
        case (.fixed, .conv): return .fixed(convolutionalTemplate)
        case (.retrained, _): throw SearchError.invalidSetting("--baseline retrained needs --from RUN")
        case (_, .mlp): return .grown(MultilayerPerceptronTemplate(), selection: selection)
        case (_, .conv): return .grown(convolutionalTemplate, selection: selection)
        }
    }

    /// The number of trained networks: several random-growth trials, or one.
    var trialCount: Int { baseline == .random ? trials : 1 }
}
