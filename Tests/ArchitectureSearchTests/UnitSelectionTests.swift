import ArchitectureSearch
import NeuralNetwork
import TensorCore
import Training
import XCTest

/// What the ``ArchitectureOptimizer`` adds: only units with a positive score, ranked by score per
/// parameter, within limits that end a round cleanly, and nothing at all when an error interrupts it.
final class UnitSelectionTests: XCTestCase {
    private let batches = SearchFixtures.batches(inputShape: [2, 6, 6], classes: 3, count: 2, batchSize: 16, seed: 41)

    func testScoreIsTheGradientNormPerSquareRootOfCost() {
        XCTAssertEqual(ArchitectureOptimizer.score([3, 4], cost: 4), 2.5, accuracy: 1e-6)
        XCTAssertEqual(ArchitectureOptimizer.score([-0.5], cost: 1), 0.5, accuracy: 1e-7, "a single weight scores |∂L/∂W|")
        XCTAssertEqual(ArchitectureOptimizer.score([1, 1], cost: 0), 0, "a unit that cannot be added scores 0")
        // A 4-entry unit with gradient 1 on each entry has the larger raw norm (2) but buys less per parameter
        // than a single weight with gradient 1.5.
        XCTAssertGreaterThan(ArchitectureOptimizer.score([1.5], cost: 1), ArchitectureOptimizer.score([1, 1, 1, 1], cost: 4))
    }

    /// The audit scores of an expansion are ‖g‖/√cost of the units, recomputed here from the gradients.
    func testFirstScoresAreNormalisedByCost() throws {
        let network = try SearchFixtures.convolutionalNetwork()
        try SearchFixtures.train(network, on: batches, steps: 8)
        let trained = network.captureState()   // the expansion below draws the same probes again
        network.beginScoring()
        try network.reviveDeadChannels(on: batches.map(\.inputs))
        try SearchFixtures.accumulateScoringGradients(network, batches)
        let table = network.parameterTable()
        let expected = KernelGranularity().allUnits(in: network).map { unit -> Float in
            let gradient = unit.entries.map { table[unit.key]!.gradient[flat: $0] }
            let norm = gradient.reduce(Double(0)) { $0 + Double($1) * Double($1) }.squareRoot()
            return Float(norm / Double(network.cost(of: unit)).squareRoot())
        }
        network.endScoring()
        network.restore(trained)
        let record = try ArchitectureOptimizer(budget: SearchBudget(parameters: 100_000), seed: 1)
            .expand(network, granularity: KernelGranularity(), batches: batches, targetParameters: 50, stepSize: 0.05)
        XCTAssertEqual(record.allScores.count, expected.count)
        XCTAssertEqual(record.allScores.maximum, expected.max() ?? 0, accuracy: 1e-4 * (expected.max() ?? 1))
        XCTAssertEqual(record.allScores.mean, expected.reduce(0, +) / Float(expected.count), accuracy: 1e-4 * (expected.max() ?? 1))
    }

    /// Structural units score and add exactly the entries that become present.
    func testStructuralUnitsCoverWhatTheyAdd() throws {
        let network = try SearchFixtures.convolutionalNetwork()
        network.setCandidateGradients(true)
        defer { network.setCandidateGradients(false) }
        for unit in LayerGranularity().allUnits(in: network) {
            switch unit.kind {
            case .connection: XCTAssertEqual(unit.entries.count, network.cost(of: unit), unit.label)
            case .layer: XCTAssertEqual(2 * unit.entries.count, network.cost(of: unit), unit.label)
            case .entries: XCTFail("layer granularity offers only structure")
            }
        }
    }

    /// Units that read from a channel that is zero on every sample score exactly 0 and are never added, even
    /// when the target asks for more than the useful units hold; the record says the round ran out. (The space
    /// here does not revive dead channels, as a ``LayerSearchSpace`` does not.)
    func testZeroScoreUnitsAreNeverAdded() throws {
        let network = try SearchFixtures.convolutionalNetwork()
        try SearchFixtures.train(network, on: batches, steps: 8)
        let stem = network.nodes[1]
        let stemBias = try XCTUnwrap(stem.bias)
        for channel in stem.realChannels { stemBias.value[flat: channel] = -1e4 }   // the stem's channels are dead
        let outgoing = try XCTUnwrap(network.edges.first { $0.source == stem.id })
        let area = outgoing.weight.shape[2...].reduce(1, *)
        let target = try XCTUnwrap(network.node(outgoing.target))
        let fedByDeadChannels = outgoing.weight.mask.absentIndices.filter {
            !stem.isPlaceholder[($0 / area) % stem.channelCount] && !target.isPlaceholder[$0 / (area * stem.channelCount)]
        }
        XCTAssertFalse(fedByDeadChannels.isEmpty)
        let record = try ArchitectureOptimizer(budget: SearchBudget(parameters: 100_000), seed: 1)
            .expand(WrappedSpace(network, revives: false), granularity: WeightGranularity(), batches: batches,
                    targetParameters: 50_000, stepSize: 0.05)
        XCTAssertEqual(record.revivedChannels, 0)
        XCTAssertEqual(record.zeroScoreUnits, 0)
        XCTAssertEqual(record.outcome, .outOfUsefulUnits)
        XCTAssertLessThan(record.addedParameters, 50_000)
        XCTAssertGreaterThan(record.keptScores.minimum, 0)
        // Growth re-lays the tensor out (the stem gains placeholders), so entries are compared by (row, column, tap).
        let grown = try XCTUnwrap(network.edges.first { $0.id == outgoing.id }).weight
        let added = fedByDeadChannels.filter { index in
            let (row, column, tap) = (index / (area * stem.channelCount), (index / area) % stem.channelCount, index % area)
            return grown.mask.isActive((row * grown.shape[1] + column) * area + tap)
        }
        XCTAssertEqual(added, [], "no unit fed by the dead channels was added")
    }

    /// Units that promote the same placeholder share its cost; the hyper-architecture is filled by the
    /// parameters really added, so a round with useful units left reaches its target.
    func testARoundWithUsefulUnitsLeftReachesItsTarget() throws {
        let network = try SearchFixtures.convolutionalNetwork()
        try SearchFixtures.train(network, on: batches, steps: 8)
        for (granularity, target) in [(KernelGranularity(), 40), (KernelGranularity(), 120), (WeightGranularity(), 60), (WeightGranularity(), 200)]
            as [(any SearchGranularity, Int)] {
            let record = try ArchitectureOptimizer(budget: SearchBudget(parameters: 100_000), candidateFactor: 1, seed: 1)
                .expand(network, granularity: granularity, batches: batches, targetParameters: target, stepSize: 0.05)
            XCTAssertGreaterThan(record.usefulUnits, record.addedUnits)
            XCTAssertGreaterThanOrEqual(record.addedParameters, target, "\(granularity.name), target \(target): \(record.outcome)")
        }
    }

    /// A growth limit reached by the second new layer of one round skips that layer instead of ending training.
    func testALimitReachedInsideOneRoundEndsTheRoundCleanly() throws {
        let template = ConvolutionalTemplate(stages: 1, layersPerStage: 2...2, channels: 3...4, hiddenWidth: 5...6,
                                             limits: GrowthLimits(maxConvolutionalLayers: 4, placeholderRange: 2...3))
        let network = try template.makeNetwork(inputShape: [2, 6, 6], classes: 3, seed: 7)
        XCTAssertEqual(network.convolutionalNodeCount, 3)
        let record = try ArchitectureOptimizer(budget: SearchBudget(parameters: 100_000), seed: 1)
            .expand(network, granularity: LayerGranularity(), batches: batches, targetParameters: 5_000, stepSize: 0.05)
        XCTAssertEqual(network.convolutionalNodeCount, 4)
        XCTAssertGreaterThan(record.addedUnits, 0)
    }

    /// An error in the middle of a round restores the network as it was, revived channels included: here the
    /// space fails at its second addition after the hyper-architecture step, inside UpdateArch, and the output is
    /// compared on data the expansion never scored.
    func testAnErrorDuringAnExpansionRestoresTheNetwork() throws {
        let network = try SearchFixtures.convolutionalNetwork()
        try SearchFixtures.train(network, on: batches, steps: 12)
        let unseen = SearchFixtures.batches(inputShape: [2, 6, 6], classes: 3, count: 1, batchSize: 16, seed: 77)[0].inputs
        let before = try network.forward(unseen, mode: .inference)
        let described = ArchitectureDescription(network)
        let failing = WrappedSpace(network, failAtUpdateArchAddition: 2)
        XCTAssertThrowsError(try ArchitectureOptimizer(budget: SearchBudget(parameters: 100_000), seed: 1)
            .expand(failing, granularity: KernelGranularity(), batches: batches, targetParameters: 200, stepSize: 0.05))
        XCTAssertEqual(failing.updateArchAdditions, 2, "the failure happened in UpdateArch")
        XCTAssertEqual(ArchitectureDescription(network), described)
        XCTAssertEqual(try network.forward(unseen, mode: .inference), before)
    }

    /// A round in which the budget refuses every useful unit ends the search: later rounds would only repeat it.
    /// (Every kernel between real channels is made present first, so each unit left promotes a placeholder and adds
    /// compute, and the compute budget is what the network computes already.)
    func testARoundRefusedEverythingEndsTheSearch() throws {
        let network = try SearchFixtures.convolutionalNetwork()
        for unit in KernelGranularity().allUnits(in: network) where network.cost(of: unit) > 0 && network.multiplyAccumulatesAdded(by: unit) == 0 {
            try network.add(unit)
        }
        let data = FixedBatches(batches)
        let budget = try SearchBudget(parameters: 100_000, multiplyAccumulates: network.multiplyAccumulates)
        let callback = ExpansionCallback(space: network, optimizer: try ArchitectureOptimizer(budget: budget, seed: 2),
                                         granularity: TopDownGranularity([KernelGranularity()]),
                                         schedule: try ExpansionSchedule(interval: 0.5, frozenFraction: 0.2), scoringData: data)
        let loop = TrainingLoop(model: network, optimizer: try SGD(learningRate: 0.05, momentum: 0.9),
                                schedule: try ConstantSchedule(rate: 0.05), callbacks: [callback])
        _ = try loop.fit(train: data, test: nil, epochs: 3)
        XCTAssertEqual(callback.records.count, 1, "four rounds were scheduled")
        XCTAssertEqual(callback.records.first?.outcome, .limitsReached)
        XCTAssertEqual(callback.records.first?.addedParameters, 0)
        XCTAssertGreaterThan(callback.records.first?.usefulUnits ?? 0, 0)
        XCTAssertTrue(callback.budgetExhausted)
    }

    /// The architecture is frozen for the final fraction of training: no expansion there, no parameter added.
    func testTheFrozenFinalFractionAddsNothing() throws {
        let network = try SearchFixtures.convolutionalNetwork()
        let data = FixedBatches(batches)
        let callback = ExpansionCallback(space: network, optimizer: try ArchitectureOptimizer(budget: SearchBudget(parameters: 100_000), seed: 2),
                                         granularity: TopDownGranularity([KernelGranularity()]),
                                         schedule: try ExpansionSchedule(interval: 0.5, frozenFraction: 0.4), scoringData: data)
        let loop = TrainingLoop(model: network, optimizer: try SGD(learningRate: 0.05, momentum: 0.9),
                                schedule: try ConstantSchedule(rate: 0.05), callbacks: [callback])
        let history = try loop.fit(train: data, test: nil, epochs: 5)
        XCTAssertFalse(callback.records.isEmpty)
        XCTAssertTrue(callback.records.allSatisfy { $0.epoch < 3 })
        XCTAssertEqual(history[2].parameterCount, history[4].parameterCount)
        XCTAssertEqual(history[3].parameterCount, network.parameterCount)
    }
}

/// A search space that forwards to a growing network, revives no channel unless `revives`, and, when
/// `failAtUpdateArchAddition` is given, fails at that addition after the first restore of a snapshot (the end of
/// the hyper-architecture step, where UpdateArch begins).
private final class WrappedSpace: SearchSpace {
    let base: GrowingNetwork
    let failAtUpdateArchAddition: Int?
    let revives: Bool
    private var restored = false
    private(set) var updateArchAdditions = 0

    init(_ base: GrowingNetwork, failAtUpdateArchAddition: Int? = nil, revives: Bool = true) {
        self.base = base
        self.failAtUpdateArchAddition = failAtUpdateArchAddition
        self.revives = revives
    }

    var network: Layer { base }
    var parameterCount: Int { base.parameterCount }
    func searchRegions() -> [SearchRegion] { base.searchRegions() }
    func structuralUnits() -> [SearchUnit] { base.structuralUnits() }
    func beginScoring() { base.beginScoring() }
    func endScoring() { base.endScoring() }
    func setCandidateGradients(_ enabled: Bool) { base.setCandidateGradients(enabled) }
    func parameterTable() -> [String: Parameter] { base.parameterTable() }
    func cost(of unit: SearchUnit) -> Int { base.cost(of: unit) }
    var multiplyAccumulates: Int { base.multiplyAccumulates }
    func multiplyAccumulatesAdded(by unit: SearchUnit) -> Int { base.multiplyAccumulatesAdded(by: unit) }
    func finishAdding() { base.finishAdding() }
    func snapshot() -> () -> Void {
        let restore = base.snapshot()
        return { [weak self] in
            self?.restored = true
            restore()
        }
    }
    func deadChannels(on inputs: Tensor) throws -> Int { try base.deadChannels(on: inputs) }
    func reviveDeadChannels(on inputs: [Tensor]) throws -> Int { revives ? try base.reviveDeadChannels(on: inputs) : 0 }

    func add(_ unit: SearchUnit) throws {
        if restored, let failAtUpdateArchAddition {
            updateArchAdditions += 1
            guard updateArchAdditions < failAtUpdateArchAddition else {
                throw SearchError.invalidSetting("addition \(updateArchAdditions) of UpdateArch fails on purpose")
            }
        }
        try base.add(unit)
    }
}
