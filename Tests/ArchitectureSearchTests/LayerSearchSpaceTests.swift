import ArchitectureSearch
import NeuralNetwork
import TensorCore
import Training
import XCTest

/// A user-built network searched through ``LayerSearchSpace``: batch-norm statistics, compute, budgets,
/// function preservation and reproducibility.
final class LayerSearchSpaceTests: XCTestCase {
    private let inputShape = [2, 6, 6]
    private lazy var batches = SearchFixtures.batches(inputShape: inputShape, classes: 3, count: 2, batchSize: 8, seed: 5)

    /// conv(2→4, 3x3, padding 1) - batch norm - ReLU - max-pool - conv(4→3, 2x2) - ReLU, nested in a
    /// ``Sequential``, then flatten - linear(12→3); about 40% of every weight and bias present.
    private func userNetwork(seed: UInt64 = 11) -> Sequential {
        var generator = RandomGenerator(seed: seed)
        let network = Sequential(name: "small", [
            Sequential(name: "features", [
                Conv2d(name: "conv1", inputChannels: 2, outputChannels: 4, kernelSize: 3, padding: 1, generator: &generator),
                BatchNorm2d(name: "bn1", channels: 4), ReLU(name: "relu1"), MaxPool2d(name: "pool1", kernelSize: 2),
                Conv2d(name: "conv2", inputChannels: 4, outputChannels: 3, kernelSize: 2, generator: &generator),
                ReLU(name: "relu2"),
            ]),
            Flatten(),
            Linear(name: "fc", inputFeatures: 12, outputFeatures: 3, generator: &generator),
        ])
        for parameter in network.parameters where parameter.isSearchable {
            let flags = (0..<parameter.count).map { _ in generator.nextUnitDouble() < 0.4 }
            parameter.applyMask(ArchitectureMask(shape: parameter.shape, flags: flags))
        }
        return network
    }

    private func batchNorm(of network: Sequential) throws -> BatchNorm2d {
        try XCTUnwrap((network.layers.first as? Sequential)?.layers.compactMap { $0 as? BatchNorm2d }.first)
    }

    private func bits(_ tensor: Tensor) -> [UInt32] { tensor.scalars.map(\.bitPattern) }

    /// A network whose batch norm has seen one training batch, so that its statistics are not the initial ones.
    private func networkWithStatistics() throws -> (Sequential, BatchNorm2d) {
        let network = userNetwork()
        _ = try network.forward(batches[1].inputs, mode: .training)
        return (network, try batchNorm(of: network))
    }

    private func expandOnce(_ space: LayerSearchSpace, seed: UInt64 = 1) throws -> ExpansionRecord {
        try ArchitectureOptimizer(budget: SearchBudget(parameters: 10_000), seed: seed)
            .expand(space, granularity: WeightGranularity(), batches: batches, targetParameters: 20, stepSize: 0.05)
    }

    // MARK: Batch norm

    func testAnExpansionLeavesBatchNormStatisticsAsTheyWere() throws {
        let (network, batchNorm) = try networkWithStatistics()
        let (mean, variance) = (bits(batchNorm.runningMean), bits(batchNorm.runningVariance))
        let record = try expandOnce(try LayerSearchSpace(network: network, inputShape: inputShape))
        XCTAssertGreaterThan(record.addedParameters, 0)
        XCTAssertEqual(bits(batchNorm.runningMean), mean)
        XCTAssertEqual(bits(batchNorm.runningVariance), variance)
    }

    /// The control of the test above: the scoring passes' training-mode forward does move the statistics.
    func testATrainingForwardPassMovesBatchNormStatistics() throws {
        let (network, batchNorm) = try networkWithStatistics()
        let (mean, variance) = (bits(batchNorm.runningMean), bits(batchNorm.runningVariance))
        _ = try network.forward(batches[0].inputs, mode: .training)
        XCTAssertNotEqual(bits(batchNorm.runningMean), mean)
        XCTAssertNotEqual(bits(batchNorm.runningVariance), variance)
    }

    // MARK: Multiply-accumulates

    func testMultiplyAccumulatesCountPresentWeightsAtTheirLayersOutputPositions() throws {
        var generator = RandomGenerator(seed: 2)
        let conv = Conv2d(name: "conv", inputChannels: 1, outputChannels: 2, kernelSize: 3, stride: 2, padding: 1, generator: &generator)
        let fc = Linear(name: "fc", inputFeatures: 18, outputFeatures: 4, generator: &generator)
        let network = Sequential([Sequential([conv, BatchNorm2d(channels: 2), ReLU()]), Flatten(), fc])
        // Entries 0, 4, 8, 12, 16 of the 18 conv weights are absent: 13 present, each at 3x3 output positions
        // (6x6 input, stride 2, padding 1). Every third of the 72 linear weights is absent: 48 present.
        conv.weight.applyMask(ArchitectureMask(shape: conv.weight.shape, flags: (0..<18).map { $0 % 4 != 0 }))
        fc.weight.applyMask(ArchitectureMask(shape: fc.weight.shape, flags: (0..<72).map { $0 % 3 != 0 }))
        let convBias = try XCTUnwrap(conv.bias)
        convBias.applyMask(ArchitectureMask(shape: [2], flags: [false, true]))
        let space = try LayerSearchSpace(network: network, inputShape: [1, 6, 6])
        XCTAssertEqual(space.multiplyAccumulates, 13 * 9 + 48)

        let units = KernelGranularity().allUnits(in: space) + WeightGranularity().allUnits(in: space)
        func unit(_ parameter: Parameter, _ entries: [Int]) throws -> SearchUnit {
            try XCTUnwrap(units.first { $0.label == parameter.name && $0.entries == entries })
        }
        // The first kernel lacks taps 0, 4 and 8; a linear weight costs 1; a bias nothing.
        XCTAssertEqual(space.multiplyAccumulatesAdded(by: try unit(conv.weight, [0, 4, 8])), 3 * 9)
        XCTAssertEqual(space.multiplyAccumulatesAdded(by: try unit(fc.weight, [3])), 1)
        XCTAssertEqual(space.multiplyAccumulatesAdded(by: try unit(convBias, [0])), 0)

        for unit in units {
            let restore = space.snapshot()
            let projected = space.multiplyAccumulates + space.multiplyAccumulatesAdded(by: unit)
            try space.add(unit)
            XCTAssertEqual(space.multiplyAccumulates, projected, "\(unit.label) \(unit.entries)")
            restore()
        }
    }

    func testAnInputShapeTheNetworkCannotTakeIsRefused() throws {
        XCTAssertThrowsError(try LayerSearchSpace(network: userNetwork(), inputShape: [3, 6, 6])) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("[3, 6, 6]") && message.contains("conv1"), message)
        }
    }

    // MARK: Budgets

    /// Trains `network` for 4 epochs with an ``ExpansionCallback`` that expands every half epoch at kernel, then
    /// weight level, with an architecture learning rate high enough that `budget` binds.
    private func search(_ space: LayerSearchSpace, budget: SearchBudget, selection: ArchitectureOptimizer.Selection = .gradient,
                        seed: UInt64 = 1, afterExpansion: @escaping () -> Void = {}) throws -> ExpansionCallback {
        let data = FixedBatches(batches)
        let callback = ExpansionCallback(
            space: space, optimizer: try ArchitectureOptimizer(budget: budget, selection: selection, seed: seed),
            granularity: TopDownGranularity([KernelGranularity(), WeightGranularity()]),
            schedule: try ExpansionSchedule(interval: 0.5, initialArchitectureLearningRate: 0.5), scoringData: data)
        callback.onExpansion = { _ in afterExpansion() }
        let loop = TrainingLoop(model: space.network, optimizer: try SGD(learningRate: 0.05, momentum: 0.9),
                                schedule: try ConstantSchedule(rate: 0.05), callbacks: [callback])
        _ = try loop.fit(train: data, test: nil, epochs: 4)
        return callback
    }

    func testASearchNeverExceedsItsComputeBudget() throws {
        let space = try LayerSearchSpace(network: userNetwork(), inputShape: inputShape)
        let start = space.multiplyAccumulates
        let limit = start + 300
        var expansions = 0
        let callback = try search(space, budget: SearchBudget(parameters: 100_000, multiplyAccumulates: limit)) {
            expansions += 1
            XCTAssertLessThanOrEqual(space.multiplyAccumulates, limit)
        }
        XCTAssertGreaterThan(expansions, 1)
        XCTAssertGreaterThan(space.multiplyAccumulates, start)
        XCTAssertTrue(callback.records.contains { $0.outcome == .limitsReached }, "the compute budget bound")
    }

    func testASearchNeverExceedsItsParameterBudget() throws {
        let space = try LayerSearchSpace(network: userNetwork(), inputShape: inputShape)
        let start = space.parameterCount
        let limit = start + 60
        let callback = try search(space, budget: SearchBudget(parameters: limit)) {
            XCTAssertLessThanOrEqual(space.parameterCount, limit)
        }
        XCTAssertGreaterThan(callback.records.count, 1)
        XCTAssertTrue(callback.records.allSatisfy { $0.parametersAfter <= limit })
        XCTAssertGreaterThan(space.parameterCount, start + 40)
    }

    // MARK: Growth

    func testGrowthPreservesTheOutput() throws {
        let (network, _) = try networkWithStatistics()
        let before = try network.forward(batches[0].inputs, mode: .inference)
        let space = try LayerSearchSpace(network: network, inputShape: inputShape)
        let added = try expandOnce(space).addedParameters
        XCTAssertGreaterThan(added, 0)
        XCTAssertEqual(bits(try network.forward(batches[0].inputs, mode: .inference)), bits(before))
    }

    func testTheSameSeedGivesTheSameSearch() throws {
        func run(_ selection: ArchitectureOptimizer.Selection, seed: UInt64) throws -> (masks: [[UInt8]], values: [[UInt32]]) {
            let space = try LayerSearchSpace(network: userNetwork(), inputShape: inputShape)
            _ = try search(space, budget: SearchBudget(parameters: space.parameterCount + 40), selection: selection, seed: seed)
            let parameters = space.network.parameters
            return (parameters.map(\.mask.flags), parameters.map { bits($0.value) })
        }
        let start = userNetwork().parameters.map(\.mask.flags)
        for selection in [ArchitectureOptimizer.Selection.gradient, .random] {
            let first = try run(selection, seed: 1)
            let second = try run(selection, seed: 1)
            XCTAssertNotEqual(first.masks, start, "\(selection): the search grew the network")
            XCTAssertEqual(first.masks, second.masks, "\(selection)")
            XCTAssertEqual(first.values, second.values, "\(selection)")
        }
        XCTAssertNotEqual(try run(.random, seed: 1).masks, try run(.random, seed: 2).masks, "the seed chooses the random units")
    }
}
