import ArchitectureSearch
import ModelExport
import NeuralNetwork
import TensorCore
import XCTest

/// Compaction keeps the function: the compacted network's logits equal the masked network's within 1e-5, for
/// networks fresh from a template, after training and growth, and with dead channels, absent kernels and absent
/// connections, which it takes out.
final class CompactionTests: XCTestCase {
    func testTemplateNetworksKeepTheirLogits() throws {
        for network in [try ExportFixtures.convolutionalNetwork(), try ExportFixtures.convolutionalNetwork(seed: 2, head: .flatten),
                        try ExportFixtures.perceptron()] {
            let compact = try network.compacted()
            try ExportFixtures.assertSameLogits(compact, network, on: ExportFixtures.batches(inputShape: network.inputShape))
            XCTAssertEqual(compact.classCount, 3)
            XCTAssertEqual(compact.nodes.count, network.nodes.count, "every node of a template network has a live channel")
        }
    }

    func testPlaceholdersAreDroppedAndRealChannelsKept() throws {
        let network = try ExportFixtures.convolutionalNetwork()
        let compact = try network.compacted()
        for node in compact.nodes.dropFirst() {
            let original = try XCTUnwrap(network.node(node.id))
            XCTAssertTrue(node.keptChannels.allSatisfy { !original.isPlaceholder[$0] }, "placeholder kept in \(node.name)")
            XCTAssertEqual(node.bias?.count, node.channelCount)
        }
        XCTAssertLessThan(compact.storedParameterCount, network.parameters.reduce(0) { $0 + $1.count })
        XCTAssertGreaterThanOrEqual(compact.storedParameterCount, network.parameterCount)
    }

    func testTrainedAndGrownNetworksKeepTheirLogits() throws {
        for network in [try ExportFixtures.convolutionalNetwork(seed: 5), try ExportFixtures.perceptron(seed: 4)] {
            let batches = ExportFixtures.batches(inputShape: network.inputShape)
            try ExportFixtures.train(network, on: batches, steps: 6)
            ExportFixtures.grow(network)
            try ExportFixtures.train(network, on: batches, steps: 6)
            try ExportFixtures.assertSameLogits(try network.compacted(), network, on: batches)
        }
    }

    /// A channel with no present incoming weight and no bias is zero for every input; a channel whose outgoing
    /// weights are all absent feeds nothing; a connection with no present weight computes nothing. All go, and the
    /// channels that only they fed or read go with them.
    func testDeadChannelsAbsentKernelsAndConnectionsAreTakenOut() throws {
        let network = try ExportFixtures.convolutionalNetwork(seed: 9)
        let batches = ExportFixtures.batches(inputShape: network.inputShape)
        try ExportFixtures.train(network, on: batches, steps: 4)
        let convolutions = network.nodes.filter { if case .convolution = $0.kind { return true } else { return false } }
        let stem = convolutions[0], second = convolutions[1]

        // Channel 0 of the second convolution: every incoming weight and its bias absent.
        for edge in network.incomingEdges(of: second.id) {
            let shape = edge.weight.shape, area = shape[2...].reduce(1, *)
            for index in 0..<(shape[1] * area) { edge.weight.deactivate(index) }
        }
        second.bias?.deactivate(0)
        // Channel 1 of the stem: every outgoing weight absent.
        for edge in network.edges where edge.source == stem.id {
            let shape = edge.weight.shape, area = shape[2...].reduce(1, *)
            for row in 0..<shape[0] { for tap in 0..<area { edge.weight.deactivate((row * shape[1] + 1) * area + tap) } }
        }
        // A skip connection made and then emptied.
        let pairs = network.nodes.flatMap { source in network.nodes.map { (source, $0) } }
        let (from, target) = try XCTUnwrap(pairs.first { source, target in
            network.allowsConnection(from: source, to: target) && !network.edges.contains { $0.source == source.id && $0.target == target.id }
        })
        let extra = try network.connect(from: from.id, to: target.id)
        let emptied = try XCTUnwrap(network.edges.last)
        XCTAssertEqual(emptied.id, extra.id)
        for index in 0..<emptied.weight.count { emptied.weight.deactivate(index) }

        try ExportFixtures.train(network, on: batches, steps: 3)
        let compact = try network.compacted()
        try ExportFixtures.assertSameLogits(compact, network, on: batches)
        XCTAssertFalse(try XCTUnwrap(compact.node(second.id)).keptChannels.contains(0))
        XCTAssertFalse(try XCTUnwrap(compact.node(stem.id)).keptChannels.contains(1))
        XCTAssertFalse(compact.edges.contains { $0.source == from.id && $0.target == target.id })
        for edge in compact.edges {
            let source = try XCTUnwrap(compact.node(edge.source)), into = try XCTUnwrap(compact.node(edge.target))
            XCTAssertEqual(edge.weight.shape[0], into.channelCount)
            if into.kernelSize != nil { XCTAssertEqual(edge.weight.shape[1], source.channelCount) }
        }
    }

    /// A node left without any live channel goes with every connection into and out of it; one whose inputs are all
    /// absent but whose bias is positive is a constant, which is kept.
    func testAnEmptiedNodeGoesAndAConstantNodeStays() throws {
        let network = try ExportFixtures.perceptron(seed: 6)
        let hidden = network.nodes.filter { $0.kind == .linear && !$0.isOutput }
        XCTAssertEqual(hidden.count, 2)
        // The first hidden node: no present input, no bias.
        for edge in network.incomingEdges(of: hidden[0].id) {
            for index in 0..<edge.weight.count { edge.weight.deactivate(index) }
        }
        for channel in hidden[0].realChannels { hidden[0].bias?.deactivate(channel) }
        // The second: no present input either, but a positive bias on its real channels.
        for edge in network.incomingEdges(of: hidden[1].id) {
            for index in 0..<edge.weight.count { edge.weight.deactivate(index) }
        }
        for channel in hidden[1].realChannels { hidden[1].bias?.activate(channel, initialValue: 0.5 + Float(channel) / 10) }
        let compact = try network.compacted()
        XCTAssertNil(compact.node(hidden[0].id))
        XCTAssertEqual(compact.node(hidden[1].id)?.channelCount, hidden[1].realChannelCount)
        XCTAssertTrue(compact.incomingEdges(of: hidden[1].id).isEmpty)
        try ExportFixtures.assertSameLogits(compact, network, on: ExportFixtures.batches(inputShape: network.inputShape))
    }

    func testAnInputOfAnotherShapeIsRefused() throws {
        let compact = try ExportFixtures.perceptron().compacted()
        XCTAssertThrowsError(try compact.forward(Tensor(zeros: [2, 6]))) { error in
            XCTAssertEqual(error as? ModelExportError, .inputShapeMismatch(expected: [2, 7], actual: [2, 6]))
        }
    }

    /// Parts that do not run from an input to an output (as a damaged export description could give) are an error, not a trap.
    func testPartsThatAreNoNetworkAreRefused() throws {
        let network = try ExportFixtures.perceptron().compacted()
        XCTAssertThrowsError(try CompactNetwork(inputShape: network.inputShape, headReduction: network.headReduction, nodes: [], edges: [])) {
            XCTAssertEqual("\($0)", "compact network: it must run from its input node to its output node")
        }
        XCTAssertThrowsError(try CompactNetwork(inputShape: network.inputShape, headReduction: network.headReduction,
                                                nodes: Array(network.nodes.dropLast()), edges: network.edges))
    }
}
