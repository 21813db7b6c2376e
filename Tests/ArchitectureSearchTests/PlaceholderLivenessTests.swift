import ArchitectureSearch
import NeuralNetwork
import TensorCore
import Training
import XCTest

/// Placeholder nodes (Figure 1, centre) stay live on networks that have trained: the masked optimizer zeroes
/// absent entries at every step, so their probe weights are drawn anew when scoring begins, and a promoted
/// channel starts with non-zero incoming weights that train.
final class PlaceholderLivenessTests: XCTestCase {
    private let batches = SearchFixtures.batches(inputShape: [2, 6, 6], classes: 3, count: 3, batchSize: 16, seed: 31)

    /// After training steps, the outgoing units of placeholders score a non-zero gradient that matches finite differences.
    func testPlaceholderScoresAfterTrainingMatchFiniteDifferencesAndAreNonZero() throws {
        let network = try SearchFixtures.convolutionalNetwork()
        try SearchFixtures.train(network, on: batches, steps: 12)
        network.beginScoring()
        defer { network.endScoring() }
        try SearchFixtures.accumulateScoringGradients(network, batches)
        let table = network.parameterTable()
        let units = SearchFixtures.placeholderUnits(network)
        XCTAssertGreaterThan(units.count, 20)
        var nonZero = 0
        for unit in units.prefix(60) {
            let parameter = try XCTUnwrap(table[unit.key])
            let entry = unit.entries[0]
            XCTAssertFalse(parameter.mask.isActive(entry))
            let numeric = try SearchFixtures.absentEntryDerivative(parameter, entry, network: network, batches: batches)
            let analytic = Double(parameter.gradient[flat: entry])
            XCTAssertEqual(analytic, numeric, accuracy: 2e-3 + 1e-2 * abs(numeric), "\(unit.key)[\(entry)]")
            if abs(analytic) > 1e-6 { nonZero += 1 }
        }
        XCTAssertGreaterThan(nonZero, 45, "placeholder outgoing units must see a signal after training")
    }

    /// Drawing probes is function-preserving, and so is growth on a network that has trained.
    func testScoringAndGrowthOfATrainedNetworkPreserveTheOutput() throws {
        let network = try SearchFixtures.convolutionalNetwork()
        try SearchFixtures.train(network, on: batches, steps: 10)
        let input = batches[0].inputs
        let before = try network.forward(input, mode: .inference)
        network.beginScoring()
        XCTAssertEqual(try network.forward(input, mode: .inference), before, "probes have no present outgoing weight")
        for unit in SearchFixtures.placeholderUnits(network, granularity: KernelGranularity()).prefix(8) { try network.add(unit) }
        for unit in LayerGranularity().allUnits(in: network) where network.cost(of: unit) > 0 { try network.add(unit) }
        network.finishAdding()
        network.endScoring()
        let after = try network.forward(input, mode: .inference)
        XCTAssertLessThanOrEqual(zip(before.scalars, after.scalars).map { abs($0 - $1) }.max() ?? 0, 1e-5)
    }

    /// A channel promoted by an expansion of a trained network has non-zero activations, and after a few more
    /// training steps its incoming weights have moved: it trains.
    func testPromotedChannelsAreAliveAndTrain() throws {
        let network = try SearchFixtures.convolutionalNetwork()
        try SearchFixtures.train(network, on: batches, steps: 12)
        let realBefore = Dictionary(uniqueKeysWithValues: network.nodes.map { ($0.id, Set($0.realChannels)) })
        let deadBefore = try network.deadChannelList(on: batches.map(\.inputs)).count
        let optimizer = try ArchitectureOptimizer(budget: SearchBudget(parameters: 100_000), seed: 3)
        let record = try optimizer.expand(network, granularity: WeightGranularity(), batches: batches,
                                          targetParameters: network.parameterCount / 2, stepSize: 0.05)
        XCTAssertGreaterThan(record.addedParameters, 0)
        XCTAssertGreaterThan(record.revivedChannels, 0, "the trained fixture has dead channels")
        let promoted = network.nodes.flatMap { node in
            node.realChannels.filter { !(realBefore[node.id] ?? []).contains($0) }.map { (node.id, $0) }
        }
        XCTAssertFalse(promoted.isEmpty, "the expansion promoted placeholders")
        let dead = try network.deadChannelList(on: batches.map(\.inputs))
        XCTAssertFalse(promoted.contains { channel in dead.contains { $0 == channel } }, "promoted channels are alive")
        XCTAssertLessThan(dead.count, deadBefore, "the expansion revived dead channels")

        // A promoted channel's incoming weights are its probe weights from the channels that were real when it was
        // promoted; units of the same round that join it to channels promoted later start at zero.
        let incoming = promoted.flatMap { node, channel in
            incomingEntries(of: network, node: node, channel: channel).filter { $0.parameter.mask.isActive($0.index) }
        }
        for (node, channel) in promoted {
            XCTAssertTrue(incomingEntries(of: network, node: node, channel: channel).contains { $0.parameter.value[flat: $0.index] != 0 },
                          "channel \(channel) of node \(node) starts with its probe weights")
        }
        let start = incoming.map { $0.parameter.value[flat: $0.index] }
        try SearchFixtures.train(network, on: batches, steps: 6)
        let moved = zip(incoming, start).filter { entry, value in entry.parameter.value[flat: entry.index] != value }.count
        XCTAssertGreaterThan(Double(moved), 0.5 * Double(incoming.count), "the incoming weights of promoted channels train")
    }

    /// The weights from real source channels into `channel` of node `node`.
    private func incomingEntries(of network: GrowingNetwork, node: Int, channel: Int) -> [(parameter: Parameter, index: Int)] {
        network.incomingEdges(of: node).flatMap { edge -> [(parameter: Parameter, index: Int)] in
            guard let source = network.node(edge.source) else { return [] }
            let area = edge.weight.shape[2...].reduce(1, *)
            return source.realChannels.flatMap { column in
                (0..<area).map { (edge.weight, (channel * source.channelCount + column) * area + $0) }
            }
        }
    }

    func testDeadChannelsCountsChannelsThatAreZeroOnEverySample() throws {
        let network = try SearchFixtures.convolutionalNetwork()
        let input = batches[0].inputs
        let baseline = try network.deadChannels(on: input)
        let hidden = try XCTUnwrap(network.nodes.first { $0.kind == .linear && !$0.isOutput })
        let bias = try XCTUnwrap(hidden.bias)
        let dead = try network.deadChannelList(on: [input])
        let alive = hidden.realChannels.filter { channel in !dead.contains { $0 == (hidden.id, channel) } }
        XCTAssertGreaterThanOrEqual(alive.count, 2)
        for channel in alive.prefix(2) { bias.value[flat: channel] = -1e4 }
        XCTAssertEqual(try network.deadChannels(on: input), baseline + 2)
    }

    /// A dead channel is re-initialised like a promoted placeholder: alive again, zero outgoing weights that
    /// now receive a gradient, the same architecture and the same output.
    func testRevivingDeadChannelsKeepsArchitectureAndOutput() throws {
        let network = try SearchFixtures.convolutionalNetwork()
        try SearchFixtures.train(network, on: batches, steps: 6)
        let hidden = try XCTUnwrap(network.nodes.first { $0.kind == .convolution(kernelSize: 3) && $0.stage == 1 })
        let bias = try XCTUnwrap(hidden.bias)
        let killed = Array(hidden.realChannels.prefix(2))
        for channel in killed { bias.value[flat: channel] = -1e4 }
        let inputs = batches.map(\.inputs)
        let dead = try network.deadChannelList(on: inputs).count
        XCTAssertGreaterThanOrEqual(dead, killed.count)
        let before = try network.forward(inputs[0], mode: .inference)
        let architecture = ArchitectureDescription(network)
        XCTAssertEqual(try network.reviveDeadChannels(on: inputs), dead)
        XCTAssertEqual(ArchitectureDescription(network), architecture)
        let after = try network.forward(inputs[0], mode: .inference)
        XCTAssertLessThanOrEqual(zip(before.scalars, after.scalars).map { abs($0 - $1) }.max() ?? 1, 1e-5)
        XCTAssertTrue(try network.deadChannelList(on: inputs).isEmpty)
        try SearchFixtures.accumulateScoringGradients(network, batches)
        let outgoing = network.edges.filter { $0.source == hidden.id }
        for channel in killed {
            let gradients = outgoing.flatMap { edge -> [Float] in
                let shape = edge.weight.shape, area = shape[2...].reduce(1, *)
                return (0..<shape[0]).flatMap { row in (0..<area).map { (row * shape[1] + channel) * area + $0 } }
                    .filter { edge.weight.mask.isActive($0) }.map { edge.weight.gradient[flat: $0] }
            }
            XCTAssertTrue(gradients.contains { $0 != 0 }, "channel \(channel) receives a gradient again")
        }
    }
}
