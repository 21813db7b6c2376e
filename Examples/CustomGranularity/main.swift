// A granularity of one's own: whole convolution filters (all absent weights of one output channel of a
// connection) are the units. It is registered by name next to the built-in ones, so `--granularity` chooses
// it like any other. Runs a short search on the embedded 8x8 digits:
//   swift run -c release CustomGranularity [--granularity filter,kernel]
import ArchitectureSearch
import Datasets
import Foundation
import NeuralNetwork
import TensorCore
import Training

/// Whole filters: every absent weight of one output channel of a convolution is one unit.
/// Linear weights and biases are left to the other granularities.
struct FilterGranularity: SearchGranularity {
    let name = "filter"

    func units(in region: SearchRegion) -> [SearchUnit] {
        guard case let .convolution(_, inputs, area) = region.layout else { return [] }
        return Dictionary(grouping: region.candidates) { $0 / (inputs * area) }
            .sorted { $0.key < $1.key }
            .map { SearchUnit(key: region.key, entries: $0.value, label: region.label) }
    }
}

do {
    var registry = GranularityRegistry.standard
    registry.register("filter", aliases: ["filters"]) { FilterGranularity() }
    let arguments = Array(CommandLine.arguments.dropFirst())
    let option = arguments.firstIndex(of: "--granularity").map { $0 + 1 }
    let granularityName = option.flatMap { arguments.indices.contains($0) ? arguments[$0] : nil } ?? "filter,kernel"
    let granularity = try TopDownGranularity(parsing: granularityName, registry: registry)
    let (train, test) = try Digits.loadEmbedded().split(testFraction: 0.2, seed: 1)
    let trainLoader = try DataLoader(dataset: train, batchSize: 64, seed: 1)
    let testLoader = try DataLoader(dataset: test, batchSize: 512, shuffle: false)
    let network = try ConvolutionalTemplate(stages: 2, channels: 4...8, density: 0.3, hiddenWidth: 16...32)
        .makeNetwork(inputShape: train.sampleShape, classes: train.classCount, seed: 1)
    let start = network.parameterCount
    let search = ExpansionCallback(
        space: network,
        optimizer: try ArchitectureOptimizer(budget: SearchBudget(parameters: 15_000), seed: 1),
        granularity: granularity,
        schedule: try ExpansionSchedule(interval: 1),
        scoringData: trainLoader)
    let loop = TrainingLoop(model: network, optimizer: try SGD(learningRate: 0.05, momentum: 0.9, nesterov: true),
                            schedule: try CosineAnnealingSchedule(initialRate: 0.05, length: 20), callbacks: [search, ProgressBar()])
    let history = try loop.fit(train: trainLoader, test: testLoader, epochs: 20)
    let filters = search.records.filter { $0.granularity == "filter" }
    print("parameters \(start) -> \(network.parameterCount); \(filters.count) expansions at filter level added",
          filters.reduce(0) { $0 + $1.addedUnits }, "filters;",
          String(format: "test accuracy %.2f%%", 100 * (history.last?.testAccuracy ?? 0)))
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(1)
}
