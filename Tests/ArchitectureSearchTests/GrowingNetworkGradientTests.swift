import ArchitectureSearch
import NeuralNetwork
import TensorCore
import TestSupport
import XCTest

/// The growing network's backward pass against central finite differences, for every parameter
/// entry (present or absent) and for the would-be weights that score structural additions.
final class GrowingNetworkGradientTests: XCTestCase {
    /// Finite differences across a max-pool are exact only where no two values of a window are within
    /// the step of each other; at such near-ties they see a one-sided derivative. So at least 97% of the
    /// entries must agree within 3e-3, and every entry of a network without pooling (see the perceptron).
    private func assertMostlyEqual(_ analytic: Tensor, _ numeric: Tensor, _ label: String, file: StaticString = #filePath, line: UInt = #line) {
        let agreeing = (0..<analytic.count).filter {
            abs(analytic[flat: $0] - numeric[flat: $0]) <= 3e-3 * max(1, abs(numeric[flat: $0]))
        }.count
        XCTAssertGreaterThanOrEqual(Double(agreeing), 0.97 * Double(analytic.count), label, file: file, line: line)
    }

    /// Positive biases keep most ReLUs active, so few max-pool windows hold tied zeros: ties and
    /// ReLU corners are kinks where finite differences see one-sided derivatives.
    private func keepActivationsPositive(_ network: GrowingNetwork) {
        var generator = RandomGenerator(seed: 99)
        for node in network.nodes {
            guard let bias = node.bias else { continue }
            for channel in node.realChannels { bias.value[flat: channel] = generator.uniform(0.2, 0.6) }
        }
    }

    private func checkParameterGradients(_ network: GrowingNetwork, inputShape: [Int], file: StaticString = #filePath, line: UInt = #line) throws {
        keepActivationsPositive(network)
        var generator = RandomGenerator(seed: 11)
        let input = generator.normalTensor(shape: [2] + inputShape)
        let output = try network.forward(input, mode: .training)
        let projection = generator.normalTensor(shape: output.shape)
        for parameter in network.parameters { parameter.zeroGradient() }
        let inputGradient = try network.backward(projection)
        for parameter in network.parameters {
            let analytic = parameter.gradient
            let original = parameter.value
            let numeric = try GradientCheck.numericGradient(of: original, step: 1e-3) { probe in
                parameter.value = probe
                defer { parameter.value = original }
                return GradientCheck.projection(try network.forward(input, mode: .inference), projection)
            }
            assertMostlyEqual(analytic, numeric, "\(parameter.name)", file: file, line: line)
        }
        let numericInput = try GradientCheck.numericGradient(of: input, step: 1e-3) {
            GradientCheck.projection(try network.forward($0, mode: .inference), projection)
        }
        assertMostlyEqual(inputGradient, numericInput, "input gradient", file: file, line: line)
    }

    func testConvolutionalNetworkWithSkipConnectionAndGlobalPooling() throws {
        let network = try SearchFixtures.convolutionalNetwork()
        let convolutional = network.nodes.filter { if case .convolution = $0.kind { return true } else { return false } }
        try network.connect(from: convolutional[0].id, to: convolutional[2].id, density: 0.5)  // across the reduction
        try checkParameterGradients(network, inputShape: [2, 6, 6])
    }

    func testFlattenedHead() throws {
        try checkParameterGradients(try SearchFixtures.convolutionalNetwork(head: .flatten), inputShape: [2, 6, 6])
    }

    func testPerceptronWithSkipConnection() throws {
        let network = try SearchFixtures.perceptron()
        try network.connect(from: network.nodes[1].id, to: network.nodes[3].id, density: 0.5)
        try checkParameterGradients(network, inputShape: [7])
        // Without pooling every entry must agree.
        var generator = RandomGenerator(seed: 12)
        let input = generator.normalTensor(shape: [2, 7])
        let projection = generator.normalTensor(shape: try network.forward(input, mode: .inference).shape)
        for parameter in network.parameters { parameter.zeroGradient() }
        _ = try network.forward(input, mode: .training)
        _ = try network.backward(projection)
        for parameter in network.parameters {
            let original = parameter.value
            let numeric = try GradientCheck.numericGradient(of: original, step: 1e-3) { probe in
                parameter.value = probe
                defer { parameter.value = original }
                return GradientCheck.projection(try network.forward(input, mode: .inference), projection)
            }
            XCTAssertLessThan(GradientCheck.maxError(parameter.gradient, numeric), 3e-3, parameter.name)
        }
    }

    /// The would-be weights of a missing connection and of an inserted layer receive ∂L/∂W as if they existed.
    func testCandidateGradientsMatchTheRealisedAdditions() throws {
        for (networkIndex, network) in [try SearchFixtures.convolutionalNetwork(), try SearchFixtures.perceptron()].enumerated() {
            let inputShape = networkIndex == 0 ? [2, 6, 6] : [7]
            keepActivationsPositive(network)
            var generator = RandomGenerator(seed: 5)
            let input = generator.normalTensor(shape: [3] + inputShape)
            let projection = generator.normalTensor(shape: try network.forward(input, mode: .inference).shape)
            network.setCandidateGradients(true)
            for parameter in network.scoredParameters { parameter.zeroGradient() }
            _ = try network.forward(input, mode: .training)
            _ = try network.backward(projection)
            let connections = network.connectionCandidates
            let insertions = network.insertionCandidates
            XCTAssertFalse(connections.isEmpty)
            XCTAssertFalse(insertions.isEmpty)
            let state = network.captureState()
            for (key, candidate) in connections {
                network.restore(state)
                let edge = try network.addConnection(from: key.source, to: key.target)
                try assertGradient(candidate.gradient, of: edge.weight, network: network, input: input, projection: projection, label: "connection \(key)")
                try assertRealisedGradient(candidate.gradient, of: edge.weight, network: network, input: input, projection: projection, label: "connection \(key)")
            }
            for (nodeID, candidate) in insertions {
                network.restore(state)
                // At the identity the new ReLU sits on its kink wherever the node's output is zero, so the
                // reference is the realised network's own backward pass (itself checked above).
                let inserted = try network.insertIdentityLayer(after: nodeID)
                let weight = try XCTUnwrap(network.incomingEdges(of: inserted).first).weight
                try assertRealisedGradient(candidate.gradient, of: weight, network: network, input: input, projection: projection, label: "layer after \(nodeID)")
            }
        }
    }

    /// The realised network's own backward pass gives the same gradient as the candidate computation.
    private func assertRealisedGradient(_ predicted: Tensor, of weight: Parameter, network: GrowingNetwork, input: Tensor,
                                        projection: Tensor, label: String) throws {
        network.setCandidateGradients(false)
        for parameter in network.parameters { parameter.zeroGradient() }
        _ = try network.forward(input, mode: .training)
        _ = try network.backward(projection)
        XCTAssertLessThan(GradientCheck.maxError(predicted, weight.gradient), 1e-5, label)
    }

    private func assertGradient(_ predicted: Tensor, of weight: Parameter, network: GrowingNetwork, input: Tensor, projection: Tensor, label: String) throws {
        let original = weight.value
        let numeric = try GradientCheck.numericGradient(of: original, step: 1e-3) { probe in
            weight.value = probe
            defer { weight.value = original }
            return GradientCheck.projection(try network.forward(input, mode: .inference), projection)
        }
        assertMostlyEqual(predicted, numeric, label)
    }
}
