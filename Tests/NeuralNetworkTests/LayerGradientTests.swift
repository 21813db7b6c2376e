import NeuralNetwork
import TensorCore
import TestSupport
import XCTest

final class LayerGradientTests: XCTestCase {
    /// Zeroes every third weight, as an architecture mask would: those entries must still get dL/dW.
    private func zeroSomeWeights(_ parameter: Parameter) -> [Int] {
        let zeroed = Array(stride(from: 0, to: parameter.value.count, by: 3))
        for index in zeroed { parameter.deactivate(index) }
        return zeroed
    }

    func testLinearGradientsIncludingZeroWeights() throws {
        var rng = RandomGenerator(seed: 91)
        for (batch, inputs, outputs, bias) in [(3, 5, 4, true), (1, 7, 2, false), (4, 2, 6, true)] {
            let layer = Linear(name: "fc", inputFeatures: inputs, outputFeatures: outputs, bias: bias, generator: &rng)
            let zeroed = zeroSomeWeights(layer.weight)
            try LayerCheck.assertGradients(layer, input: rng.normalTensor(shape: [batch, inputs]), generator: &rng)
            XCTAssertTrue(zeroed.contains { layer.weight.gradient[flat: $0] != 0 }, "absent weights receive their gradient")
            XCTAssertTrue(zeroed.allSatisfy { layer.weight.value[flat: $0] == 0 })
        }
    }

    func testConv2dGradientsIncludingZeroWeights() throws {
        var rng = RandomGenerator(seed: 92)
        let geometries = [
            ConvolutionGeometry(inputChannels: 2, outputChannels: 3, kernelSize: 3, padding: 1),
            ConvolutionGeometry(inputChannels: 3, outputChannels: 2, kernelSize: 1),
            ConvolutionGeometry(inputChannels: 1, outputChannels: 2, kernelSize: 3, stride: 2, padding: 1),
        ]
        for (index, geometry) in geometries.enumerated() {
            let layer = Conv2d(name: "conv", geometry: geometry, bias: index != 1, generator: &rng)
            let zeroed = zeroSomeWeights(layer.weight)
            try LayerCheck.assertGradients(layer, input: rng.normalTensor(shape: [2, geometry.inputChannels, 5, 4]), generator: &rng)
            XCTAssertTrue(zeroed.contains { layer.weight.gradient[flat: $0] != 0 }, "absent weights receive their gradient")
        }
    }

    func testSequentialWithCrossEntropyMatchesFiniteDifferences() throws {
        var rng = RandomGenerator(seed: 93)
        let conv = Conv2d(name: "conv1", inputChannels: 1, outputChannels: 2, kernelSize: 3, padding: 1, generator: &rng)
        let fc = Linear(name: "fc1", inputFeatures: 18, outputFeatures: 3, generator: &rng)
        _ = zeroSomeWeights(conv.weight)
        _ = zeroSomeWeights(fc.weight)
        let model = Sequential([conv, ReLU(name: "relu1"), MaxPool2d(name: "pool1", kernelSize: 2), Flatten(name: "flat"), fc])
        let input = rng.normalTensor(shape: [3, 1, 6, 6])
        let labels = [2, 0, 1]
        XCTAssertEqual(try model.outputShape(forInput: input.shape), [3, 3])

        let logits = try model.forward(input, mode: .training)
        let loss = try SoftmaxCrossEntropy.lossAndGradient(logits: logits, labels: labels)
        for parameter in model.parameters { parameter.zeroGradient() }
        let inputGradient = try model.backward(loss.logitsGradient)

        let evaluate = { (x: Tensor) throws -> Double in
            Double(try SoftmaxCrossEntropy.lossAndGradient(logits: try model.forward(x, mode: .inference), labels: labels).loss)
        }
        // A small step keeps the probes on one side of the ReLU and max-pool kinks; the Float loss
        // still differs by far more than its rounding, so the differences stay accurate to ~1e-4.
        let step: Float = 3e-4
        XCTAssertLessThan(GradientCheck.maxError(inputGradient, try GradientCheck.numericGradient(of: input, step: step, evaluate)), 2e-3)
        XCTAssertEqual(model.parameters.count, 4)
        for parameter in model.parameters {
            let saved = parameter.value
            let numeric = try GradientCheck.numericGradient(of: saved, step: step) { probe in
                parameter.value = probe
                defer { parameter.value = saved }
                return try evaluate(input)
            }
            XCTAssertLessThan(GradientCheck.maxError(parameter.gradient, numeric), 2e-3, parameter.name)
        }
    }
}
