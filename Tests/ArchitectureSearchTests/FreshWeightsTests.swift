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
        // Promote the last placeholder of the first node that has two, so that a placeholder sits between real channels.
        let units = SearchFixtures.placeholderUnits(network, granularity: KernelGranularity())
        let interleaving = try XCTUnwrap(units.first { unit in
            guard let edge = network.edges.first(where: { $0.weight.name == unit.key }), let node = network.node(edge.source),
                  let entry = unit.entries.first else { return false }
            let channel = (entry / edge.weight.shape[2...].reduce(1, *)) % edge.weight.shape[1]
            return node.placeholderChannels.count >= 2 && channel == node.placeholderChannels.last
        })
        try network.add(interleaving)
        for unit in units.filter({ $0.key != interleaving.key }).prefix(2) { try network.add(unit) }
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
        XCTAssertTrue(network.nodes.contains { node in
            node.isPlaceholder.indices.contains { i in node.isPlaceholder[i] && node.isPlaceholder[(i + 1)...].contains(false) }
        }, "a placeholder sits between real channels, so real indices differ from tensor indices")
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
        XCTAssertEqual(fresh.limits, network.limits, "a later search grows it under the same limits")
        fresh.finishAdding()
        XCTAssertTrue(fresh.nodes.dropFirst().dropLast().allSatisfy { !$0.placeholderChannels.isEmpty }, "placeholders come back for growth")
        XCTAssertEqual(fresh.parameterCount, network.parameterCount, "without changing the architecture")
        let batch = SearchFixtures.batches(inputShape: network.inputShape, classes: 3, count: 1, batchSize: 4, seed: 2)[0]
        XCTAssertEqual(try fresh.forward(batch.inputs, mode: .inference).shape, [4, 3])
    }

    func testWeightsAreDrawnAnewWithinTheInitialisationBoundsAndBySeed() throws {
        let network = try grownNetwork()
        let fresh = try network.withFreshWeights(seed: 11)
        var fullRowBounds: [Float] = [], sparseRowBounds: [Float] = []
        for edge in fresh.edges {
            let rows = edge.weight.shape[0], rowLength = edge.weight.value.count / rows
            var present: [Float] = []
            for row in 0..<rows {
                // He's bound for the fan-in this target channel has in the connection.
                let fanIn = (0..<rowLength).filter { edge.weight.mask.isActive(row * rowLength + $0) }.count
                let bound = Float((6 / Double(max(1, fanIn))).squareRoot())
                let values = (0..<rowLength).map { edge.weight.value[flat: row * rowLength + $0] }
                for (offset, value) in values.enumerated() {
                    if edge.weight.mask.isActive(row * rowLength + offset) {
                        XCTAssertLessThanOrEqual(abs(value), bound, "\(edge.weight.name) row \(row) within ±\(bound)")
                        present.append(value)
                    } else {
                        XCTAssertEqual(value, 0)
                    }
                }
                if fanIn == rowLength { fullRowBounds.append(bound) } else if fanIn > 0 { sparseRowBounds.append(bound) }
            }
            XCTAssertGreaterThan(Set(present).count, present.count / 2, "\(edge.weight.name) drawn, not constant")
        }
        XCTAssertFalse(fullRowBounds.isEmpty || sparseRowBounds.isEmpty, "rows of both kinds are checked")
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
