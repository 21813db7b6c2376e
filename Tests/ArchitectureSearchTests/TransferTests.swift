import ArchitectureSearch
import NeuralNetwork
import TensorCore
import XCTest

/// A trained network moved to a task with other classes keeps everything but its classifier (Section 5.2).
final class TransferTests: XCTestCase {
    func testANewOutputLayerReplacesTheOldAndEverythingElseIsKept() throws {
        let network = try SearchFixtures.convolutionalNetwork()
        let batches = SearchFixtures.batches(inputShape: network.inputShape, classes: 3, count: 2, batchSize: 8, seed: 5)
        try SearchFixtures.train(network, on: batches, steps: 6)
        let output = try XCTUnwrap(network.outputNode)
        let sources = network.incomingEdges(of: output.id).map(\.source)
        let kept = network.edges.filter { $0.target != output.id }
        let keptValues = kept.map { $0.weight.value }, keptMasks = kept.map { $0.weight.mask }
        let before = ArchitectureDescription(network)

        try network.replaceOutput(classes: 5)

        let replacement = try XCTUnwrap(network.outputNode)
        XCTAssertNotEqual(replacement.id, output.id)
        XCTAssertEqual(replacement.realChannelCount, 5)
        XCTAssertEqual(network.incomingEdges(of: replacement.id).map(\.source), sources)
        for edge in network.incomingEdges(of: replacement.id) {   // every weight from a real channel is present
            let source = try XCTUnwrap(network.node(edge.source))
            XCTAssertEqual(edge.weight.activeCount, 5 * source.realChannelCount * edge.weight.shape[2...].reduce(1, *))
        }
        XCTAssertFalse(network.edges.contains { $0.target == output.id })
        let remaining = network.edges.filter { $0.target != replacement.id }
        XCTAssertEqual(remaining.map(\.id), kept.map(\.id))
        XCTAssertEqual(remaining.map { $0.weight.value }, keptValues)
        XCTAssertEqual(remaining.map { $0.weight.mask }, keptMasks)
        XCTAssertEqual(ArchitectureDescription(network).nodes.dropLast(), before.nodes.dropLast())
        XCTAssertEqual(try network.forward(batches[0].inputs, mode: .inference).shape, [8, 5])
        XCTAssertThrowsError(try network.replaceOutput(classes: 1))
    }
}
