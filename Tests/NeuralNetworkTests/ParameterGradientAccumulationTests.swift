import NeuralNetwork
import TensorCore
import XCTest

/// `accumulateParameterGradients` must leave exactly the parameter gradients that `backward` leaves.
final class ParameterGradientAccumulationTests: XCTestCase {
    /// The parameter gradients of `layer` after a training-mode forward pass on `input` and `propagate(∂L/∂output)`,
    /// starting from zero, keyed by parameter name.
    private func parameterGradients(_ layer: Layer, input: Tensor, outputGradientSeed: UInt64,
                                    _ propagate: (Layer, Tensor) throws -> Void) throws -> [String: [Float]] {
        for parameter in layer.parameters { parameter.zeroGradient() }
        let output = try layer.forward(input, mode: .training)
        var generator = RandomGenerator(seed: outputGradientSeed)
        try propagate(layer, generator.normalTensor(shape: output.shape))
        return Dictionary(uniqueKeysWithValues: layer.parameters.map { ($0.name, $0.gradient.scalars) })
    }

    /// Asserts that both ways of back-propagating give bitwise equal, non-zero parameter gradients.
    private func assertSameParameterGradients(_ layer: Layer, input: Tensor, file: StaticString = #filePath, line: UInt = #line) throws {
        let full = try parameterGradients(layer, input: input, outputGradientSeed: 5) { _ = try $0.backward($1) }
        let withoutInput = try parameterGradients(layer, input: input, outputGradientSeed: 5) { try $0.accumulateParameterGradients($1) }
        XCTAssertFalse(full.isEmpty, "\(layer.name) has parameters", file: file, line: line)
        XCTAssertEqual(Set(full.keys), Set(withoutInput.keys), file: file, line: line)
        for (name, gradient) in full {
            XCTAssertTrue(gradient.contains { $0 != 0 }, "\(name) gradient is not trivially zero", file: file, line: line)
            XCTAssertEqual(withoutInput[name], gradient, "\(name) gradient", file: file, line: line)
        }
    }

    func testConv2dAccumulatesTheGradientsOfBackward() throws {
        var rng = RandomGenerator(seed: 11)
        let geometries = [
            ConvolutionGeometry(inputChannels: 2, outputChannels: 3, kernelSize: 3, padding: 1),
            ConvolutionGeometry(inputChannels: 3, outputChannels: 2, kernelSize: 1),
            ConvolutionGeometry(inputChannels: 1, outputChannels: 4, kernelSize: 5, stride: 2, padding: 2),
        ]
        for (index, geometry) in geometries.enumerated() {
            let layer = Conv2d(name: "conv\(index)", geometry: geometry, bias: index != 1, generator: &rng)
            try assertSameParameterGradients(layer, input: rng.normalTensor(shape: [5, geometry.inputChannels, 9, 8]))
        }
    }

    func testLinearAccumulatesTheGradientsOfBackward() throws {
        var rng = RandomGenerator(seed: 12)
        for (batch, inputs, outputs, bias) in [(4, 7, 3, true), (1, 5, 6, false)] {
            let layer = Linear(name: "fc", inputFeatures: inputs, outputFeatures: outputs, bias: bias, generator: &rng)
            try assertSameParameterGradients(layer, input: rng.normalTensor(shape: [batch, inputs]))
        }
    }

    func testSequentialAccumulatesTheGradientsOfBackward() throws {
        var rng = RandomGenerator(seed: 13)
        let multilayer = Sequential(name: "mlp", [
            Flatten(name: "flatten"),
            Linear(name: "fc1", inputFeatures: 12, outputFeatures: 8, generator: &rng), ReLU(name: "relu1"),
            Linear(name: "fc2", inputFeatures: 8, outputFeatures: 3, generator: &rng),
        ])
        try assertSameParameterGradients(multilayer, input: rng.normalTensor(shape: [4, 3, 2, 2]))

        let convolutional = Sequential(name: "cnn", [
            Conv2d(name: "conv1", inputChannels: 1, outputChannels: 3, kernelSize: 3, padding: 1, generator: &rng),
            ReLU(name: "relu1"), MaxPool2d(name: "pool1", kernelSize: 2),
            Conv2d(name: "conv2", inputChannels: 3, outputChannels: 4, kernelSize: 3, generator: &rng), ReLU(name: "relu2"),
            Flatten(name: "flatten"), Linear(name: "fc", inputFeatures: 16, outputFeatures: 5, generator: &rng),
        ])
        try assertSameParameterGradients(convolutional, input: rng.normalTensor(shape: [3, 1, 8, 8]))
    }

    /// Parameter-free layers before the first layer with parameters need no gradient: their backward is not called,
    /// and a nested `Sequential` stops at its own first layer with parameters.
    func testSequentialStopsAtTheFirstLayerWithParameters() throws {
        var rng = RandomGenerator(seed: 14)
        let leading = BackwardCounter(name: "leading"), inner = BackwardCounter(name: "inner")
        let model = Sequential(name: "model", [
            leading,
            Sequential(name: "block", [inner, Conv2d(name: "conv", inputChannels: 2, outputChannels: 2, kernelSize: 3, generator: &rng)]),
            ReLU(name: "relu"), Flatten(name: "flatten"),
            Linear(name: "fc", inputFeatures: 8, outputFeatures: 2, generator: &rng),
        ])
        XCTAssertEqual(model.firstLayerWithParameters, 1)
        try assertSameParameterGradients(model, input: rng.normalTensor(shape: [2, 2, 4, 4]))
        XCTAssertEqual(leading.backwardCalls, 1, "only the full backward reaches the leading layer")
        XCTAssertEqual(inner.backwardCalls, 1, "only the full backward reaches the nested leading layer")
    }

    func testWithoutParametersNothingIsPropagated() throws {
        let counter = BackwardCounter(name: "counter")
        let model = Sequential(name: "model", [counter, Flatten(name: "flatten")])
        XCTAssertNil(model.firstLayerWithParameters)
        let output = try model.forward(Tensor(zeros: [2, 3, 2]), mode: .training)
        try model.accumulateParameterGradients(Tensor(zeros: output.shape))
        XCTAssertEqual(counter.backwardCalls, 0)
    }

    func testAccumulatingBeforeAForwardPassThrows() {
        var rng = RandomGenerator(seed: 15)
        let conv = Conv2d(name: "conv", inputChannels: 1, outputChannels: 1, kernelSize: 3, generator: &rng)
        let linear = Linear(name: "fc", inputFeatures: 2, outputFeatures: 2, generator: &rng)
        XCTAssertThrowsError(try conv.accumulateParameterGradients(Tensor(zeros: [1, 1, 1, 1]))) { error in
            XCTAssertEqual(error as? NetworkError, .missingForward(layer: "conv"))
        }
        XCTAssertThrowsError(try linear.accumulateParameterGradients(Tensor(zeros: [1, 2]))) { error in
            XCTAssertEqual(error as? NetworkError, .missingForward(layer: "fc"))
        }
    }
}

/// An identity layer that counts how often its backward runs.
private final class BackwardCounter: Layer {
    var name: String
    private(set) var backwardCalls = 0

    init(name: String) {
        self.name = name
    }

    func outputShape(forInput shape: [Int]) throws -> [Int] { shape }

    func forward(_ input: Tensor, mode: ForwardMode) throws -> Tensor { input }

    func backward(_ outputGradient: Tensor) throws -> Tensor {
        backwardCalls += 1
        return outputGradient
    }
}
