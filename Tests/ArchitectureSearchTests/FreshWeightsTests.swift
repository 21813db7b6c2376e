import ArchitectureSearch
import NeuralNetwork
import TensorCore
import XCTest

/// `GrowingNetwork.withFreshWeights(seed:)`: a grown and trained network's architecture, entry for entry, with new
/// weights and no placeholders (what `ilnas search --baseline retrained` trains).
final class FreshWeightsTests: XCTestCase {
    /// A network grown by every kind of unit (new channels, a new connection, an inserted layer, single weights)
    /// and trained, so that its masks are irregular and its weights far from any initialisation.
    private func grownNetwork() throws -> GrowingNetwork {
        let network = try SearchFixtures.convolutionalNetwork(seed: 5)
        let batches = SearchFixtures.batches(inputShape: network.inputShape, classes: 3, count: 2, batchSize: 8, seed: 9)
        for unit in SearchFixtures.placeholderUnits(network, granularity: KernelGranularity()).prefix(3) { try network.add(unit) }
        network.setCandidateGradients(true)
        let structural = network.structuralUnits()
        try network.add(try XCTUnwrap(structural.first { if case .connection = $0.kind { true } else { false } }))
        try network.add(try XCTUnwrap(structural.first { if case .layer = $0.kind { true } else { false } }))
        network.setCandidateGradients(false)
        for unit in WeightGranularity().allUnits(in: network).filter({ network.cost(of: $0) == 1 }).prefix(5) { try network.add(unit) }
        network.finishAdding()
        try SearchFixtures.train(network, on: batches, steps: 4)
        return network
    }

    /// The present entries of `edge` in real-channel coordinates: (target's real index, source's real index, tap).
    private func presentEntries(of edge: GrowingEdge, in network: GrowingNetwork) throws -> Set<[Int]> {
        let source = try XCTUnwrap(network.node(edge.source)), target = try XCTUnwrap(network.node(edge.target))
        let area = edge.weight.shape[2...].reduce(1, *)
        var present = Set<[Int]>()
        for (row, targetChannel) in target.realChannels.enumerated() {
            for (column, sourceChannel) in source.realChannels.enumerated() {
                for k in 0..<area where edge.weight.mask.isActive((targetChannel * source.channelCount + sourceChannel) * area + k) {
                    present.insert([row, column, k])
                }
            }
        }
        return present
    }

    func testTheArchitectureIsKeptEntryForEntry() throws {
        let network = try grownNetwork()
        let start = try SearchFixtures.convolutionalNetwork(seed: 5)
        XCTAssertEqual(network.nodes.count, start.nodes.count + 1, "a layer was inserted")
        XCTAssertEqual(network.edges.count, start.edges.count + 2, "a connection was added (and one for the layer)")
        XCTAssertTrue(network.nodes.contains { !$0.placeholderChannels.isEmpty }, "the grown network has placeholders")
        let fresh = try network.withFreshWeights(seed: 11)

        XCTAssertEqual(fresh.nodes.count, network.nodes.count)
        for (old, new) in zip(network.nodes, fresh.nodes) {
            XCTAssertEqual(new.kind, old.kind)
            XCTAssertEqual(new.stage, old.stage)
            XCTAssertEqual(new.isOutput, old.isOutput)
            XCTAssertEqual(new.realChannelCount, old.realChannelCount)
            XCTAssertTrue(new.placeholderChannels.isEmpty, "node \(new.id) keeps no placeholders")
        }
        let position = { (network: GrowingNetwork, id: Int) in network.nodes.firstIndex { $0.id == id } }
        let oldEdges = network.edges.filter(\.isActive)
        XCTAssertEqual(fresh.edges.count, oldEdges.count)
        for (old, new) in zip(oldEdges, fresh.edges) {
            XCTAssertEqual(position(fresh, new.source), position(network, old.source))
            XCTAssertEqual(position(fresh, new.target), position(network, old.target))
            XCTAssertEqual(try presentEntries(of: new, in: fresh), try presentEntries(of: old, in: network), "\(old.weight.name)")
        }
        XCTAssertEqual(fresh.parameterCount, network.parameterCount)
        XCTAssertEqual(fresh.multiplyAccumulates, network.multiplyAccumulates)
        let batch = SearchFixtures.batches(inputShape: network.inputShape, classes: 3, count: 1, batchSize: 4, seed: 2)[0]
        XCTAssertEqual(try fresh.forward(batch.inputs, mode: .inference).shape, [4, 3])
    }

    func testWeightsAreDrawnAnewWithinTheInitialisationBoundsAndBySeed() throws {
        let network = try grownNetwork()
        let fresh = try network.withFreshWeights(seed: 11)
        for edge in fresh.edges {
            let source = try XCTUnwrap(fresh.node(edge.source))
            let area = edge.weight.shape[2...].reduce(1, *)
            let density = Double(edge.weight.activeCount) / Double(edge.weight.value.count)
            let bound = Float((6 / (Double(source.realChannelCount * area) * density)).squareRoot())
            var present: [Float] = []
            for index in 0..<edge.weight.value.count {
                let value = edge.weight.value[flat: index]
                if edge.weight.mask.isActive(index) { present.append(value) } else { XCTAssertEqual(value, 0) }
            }
            XCTAssertTrue(present.allSatisfy { abs($0) <= bound }, "\(edge.weight.name) within ±\(bound)")
            XCTAssertGreaterThan(Set(present).count, present.count / 2, "\(edge.weight.name) drawn, not constant")
        }
        let trainedValues = Set(network.parameters.flatMap { parameter in
            (0..<parameter.value.count).filter { parameter.mask.isActive($0) }.map { parameter.value[flat: $0] }
        })
        let freshValues = fresh.parameters.flatMap { parameter in
            (0..<parameter.value.count).filter { parameter.mask.isActive($0) }.map { parameter.value[flat: $0] }
        }
        XCTAssertTrue(freshValues.allSatisfy { !trainedValues.contains($0) }, "no trained weight survives")

        let again = try network.withFreshWeights(seed: 11), other = try network.withFreshWeights(seed: 12)
        XCTAssertEqual(again.parameters.map(\.value), fresh.parameters.map(\.value), "same seed, same weights")
        XCTAssertNotEqual(other.parameters.map(\.value), fresh.parameters.map(\.value))
    }

    func testANetworkWithoutOutputCannotBeRetrained() throws {
        let network = try GrowingNetwork(inputShape: [1, 8, 8], seed: 1)
        try network.appendNode(kind: .convolution(kernelSize: 3), stage: 0, channels: 4)
        XCTAssertThrowsError(try network.withFreshWeights(seed: 1))
    }
}
