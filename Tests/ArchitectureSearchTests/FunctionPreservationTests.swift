import ArchitectureSearch
import NeuralNetwork
import TensorCore
import XCTest

/// Growth never changes the network's output at the moment it happens (Figure 1).
final class FunctionPreservationTests: XCTestCase {
    private func assertUnchanged(_ network: GrowingNetwork, input: Tensor, _ change: () throws -> Void,
                                 file: StaticString = #filePath, line: UInt = #line) throws {
        let before = try network.forward(input, mode: .inference)
        let countBefore = network.parameterCount
        try change()
        let after = try network.forward(input, mode: .inference)
        XCTAssertEqual(before.shape, after.shape, file: file, line: line)
        let worst = zip(before.scalars, after.scalars).map { abs($0 - $1) }.max() ?? 0
        XCTAssertLessThanOrEqual(worst, 1e-6, file: file, line: line)
        XCTAssertGreaterThanOrEqual(network.parameterCount, countBefore, file: file, line: line)
    }

    private func input(_ shape: [Int]) -> Tensor {
        var generator = RandomGenerator(seed: 9)
        return generator.normalTensor(shape: [4] + shape)
    }

    func testAddingEveryKindOfUnitPreservesTheOutput() throws {
        for granularity in [WeightGranularity(), KernelGranularity()] as [any SearchGranularity] {
            let network = try SearchFixtures.convolutionalNetwork()
            let x = input([2, 6, 6])
            let units = granularity.allUnits(in: network)
            XCTAssertFalse(units.isEmpty)
            // Give present weights random values so that a wrong addition would show.
            try assertUnchanged(network, input: x) {
                for unit in units.prefix(40) { try network.add(unit) }
                network.finishAdding()
            }
        }
    }

    func testPromotingPlaceholdersAndReplenishingPreservesTheOutput() throws {
        let network = try SearchFixtures.convolutionalNetwork()
        let x = input([2, 6, 6])
        let regions = network.searchRegions()
        // Units whose entries read from a placeholder channel promote that channel.
        let placeholderUnits = regions.flatMap { WeightGranularity().units(in: $0) }.filter { unit in
            guard let edge = network.edges.first(where: { $0.weight.name == unit.key }), let source = network.node(edge.source) else { return false }
            let area = edge.weight.shape[2...].reduce(1, *)
            return unit.entries.contains { source.isPlaceholder[($0 / area) % edge.weight.shape[1]] }
        }
        XCTAssertFalse(placeholderUnits.isEmpty)
        let realBefore = network.nodes.map(\.realChannelCount)
        try assertUnchanged(network, input: x) {
            for unit in placeholderUnits.prefix(6) {
                let cost = network.cost(of: unit)
                let count = network.parameterCount
                try network.add(unit)
                XCTAssertEqual(network.parameterCount - count, cost, "cost of \(unit.key) is exact")
            }
            network.finishAdding()
        }
        XCTAssertGreaterThan(network.nodes.map(\.realChannelCount).reduce(0, +), realBefore.reduce(0, +))
        for node in network.nodes.dropFirst() where !node.isOutput {
            XCTAssertEqual(node.placeholderChannels.count, network.limits.placeholderTarget(realChannels: node.realChannelCount))
        }
    }

    func testConnectionsAndLayersPreserveTheOutput() throws {
        for network in [try SearchFixtures.convolutionalNetwork(), try SearchFixtures.convolutionalNetwork(head: .flatten),
                        try SearchFixtures.perceptron()] {
            let x = input(network.inputShape)
            let units = LayerGranularity().allUnits(in: network)
            XCTAssertTrue(units.contains { if case .connection = $0.kind { return true } else { return false } })
            XCTAssertTrue(units.contains { if case .layer = $0.kind { return true } else { return false } })
            try assertUnchanged(network, input: x) {
                for unit in units {
                    let count = network.parameterCount, cost = network.cost(of: unit)
                    try network.add(unit)
                    XCTAssertEqual(network.parameterCount - count, cost, "cost of \(unit.label)")
                }
                network.finishAdding()
            }
            // After structural growth, finer units still preserve the function.
            try assertUnchanged(network, input: x) {
                for unit in KernelGranularity().allUnits(in: network).prefix(30) { try network.add(unit) }
                network.finishAdding()
            }
        }
    }

    /// A connection keeps the algorithm it was created with while it grows past the size at which a new one would
    /// be computed by Winograd. The output is compared within 1e-6, not bit for bit: growth changes the GEMMs'
    /// inner dimension, and OpenBLAS's kernels for some CPUs (Haswell, Zen) then sum in another order.
    func testConnectionsKeepTheirConvolutionAlgorithmAsTheyGrow() throws {
        let template = ConvolutionalTemplate(stages: 1, layersPerStage: 2...2, channels: 12...12, density: 0.5,
                                             hiddenLinearLayers: 1...1, hiddenWidth: 5...5,
                                             limits: GrowthLimits(placeholderRange: 2...3))
        let network = try template.makeNetwork(inputShape: [8, 6, 6], classes: 3, seed: 5)
        let algorithms = Dictionary(uniqueKeysWithValues: network.edges.map { ($0.id, $0.convolutionAlgorithm) })
        let x = input(network.inputShape)
        let before = try network.forward(x, mode: .inference)
        for unit in WeightGranularity().allUnits(in: network) { try network.add(unit) }
        network.finishAdding()
        let after = try network.forward(x, mode: .inference)
        XCTAssertLessThanOrEqual(zip(before.scalars, after.scalars).map { abs($0 - $1) }.max() ?? 1, 1e-6)
        var crossed = 0
        for edge in network.edges where edge.weight.shape.count == 4 {
            guard let original = algorithms[edge.id] else { continue }
            XCTAssertEqual(edge.convolutionAlgorithm, original, "edge \(edge.id)")
            let geometry = ConvolutionGeometry(inputChannels: edge.weight.shape[1], outputChannels: edge.weight.shape[0],
                                               kernelSize: 3, padding: 1)
            if original == .im2col, try ConvolutionAlgorithm.automatic.resolved(for: geometry) == .winograd { crossed += 1 }
        }
        XCTAssertGreaterThan(crossed, 0, "some connection grew past the Winograd threshold")
    }

    func testSnapshotRestoresArchitectureAndWeights() throws {
        let network = try SearchFixtures.convolutionalNetwork()
        let x = input([2, 6, 6])
        let before = try network.forward(x, mode: .inference)
        let count = network.parameterCount
        let restore = network.snapshot()
        for unit in LayerGranularity().allUnits(in: network) { try network.add(unit) }
        for parameter in network.parameters { parameter.value[flat: 0] += 1 }
        restore()
        XCTAssertEqual(network.parameterCount, count)
        XCTAssertEqual(try network.forward(x, mode: .inference), before)
    }

    func testLimitsStopGrowth() throws {
        let template = ConvolutionalTemplate(stages: 1, layersPerStage: 2...2, channels: 2...2, hiddenWidth: 2...2,
                                             limits: GrowthLimits(maxChannels: 3, maxConvolutionalLayers: 2, placeholderRange: 1...4))
        let network = try template.makeNetwork(inputShape: [1, 4, 4], classes: 2, seed: 1)
        XCTAssertFalse(network.allowsInsertion(after: network.nodes[1].id))
        XCTAssertThrowsError(try network.insertIdentityLayer(after: network.nodes[1].id))
        XCTAssertEqual(network.nodes[1].placeholderChannels.count, 1, "2 real + 1 placeholder reaches the 3-channel limit")
    }
}
