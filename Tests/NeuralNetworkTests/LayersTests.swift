import NeuralNetwork
import TensorCore
import TestSupport
import XCTest

final class LayersTests: XCTestCase {
    /// Shuffled, well-separated values: no ties in pooling windows, no ReLU inputs near zero.
    private func distinctValues(_ shape: [Int], _ rng: inout RandomGenerator) -> Tensor {
        let order = rng.permutation(shape.reduce(1, *))
        return Tensor(shape: shape, scalars: order.map { Float($0) * 0.1 - 1.05 })
    }

    private func layersAndInputs() throws -> [(Layer, [Int])] {
        [
            (ReLU(name: "relu1"), [2, 3, 4, 5]),
            (MaxPool2d(name: "pool1", kernelSize: 2), [2, 3, 6, 5]),
            (MaxPool2d(name: "pool2", kernelSize: 3, stride: 2, padding: 1), [1, 2, 7, 6]),
            (AvgPool2d(name: "avg1", kernelSize: 3, stride: 2, padding: 1), [2, 2, 5, 6]),
            (GlobalAvgPool(name: "gap1"), [2, 4, 3, 3]),
            (BatchNorm2d(name: "bn1", channels: 3), [4, 3, 2, 3]),
            (try Dropout(name: "drop1", probability: 0.3, seed: 5), [3, 8]),
            (Flatten(name: "flat1"), [2, 3, 2, 2]),
            (Resize(name: "resize1", height: 5, width: 7), [2, 2, 3, 4]),
            (RepeatChannels(name: "rgb1"), [2, 1, 3, 3]),
        ]
    }

    func testOutputShapeAgreesWithForwardInBothModes() throws {
        var rng = RandomGenerator(seed: 81)
        for (layer, shape) in try layersAndInputs() {
            let input = rng.normalTensor(shape: shape)
            let expected = try layer.outputShape(forInput: shape)
            XCTAssertEqual(try layer.forward(input, mode: .training).shape, expected, layer.name)
            XCTAssertEqual(try layer.forward(input, mode: .inference).shape, expected, layer.name)
            XCTAssertTrue(layer.parameters.count == (layer is BatchNorm2d ? 2 : 0), layer.name)
        }
    }

    func testBackwardMatchesFiniteDifferences() throws {
        var rng = RandomGenerator(seed: 82)
        for (layer, shape) in try layersAndInputs() where !(layer is Dropout) {
            let input = distinctValues(shape, &rng)
            try LayerCheck.assertGradients(layer, input: input, evaluationMode: layer is BatchNorm2d ? .training : .inference,
                                           tolerance: 3e-3, generator: &rng)
        }
    }

    func testBackwardWithoutTrainingForwardThrowsNamingTheLayer() throws {
        var rng = RandomGenerator(seed: 83)
        for (layer, shape) in try layersAndInputs() {
            XCTAssertThrowsError(try layer.backward(Tensor(zeros: try layer.outputShape(forInput: shape)))) {
                XCTAssertEqual($0 as? NetworkError, .missingForward(layer: layer.name))
            }
            // An inference pass drops the cache of an earlier training pass.
            let input = rng.normalTensor(shape: shape)
            _ = try layer.forward(input, mode: .training)
            _ = try layer.forward(input, mode: .inference)
            XCTAssertThrowsError(try layer.backward(Tensor(zeros: try layer.outputShape(forInput: shape))), layer.name)
        }
    }

    func testMismatchedOutputGradientNamesLayerAndBothShapes() throws {
        var rng = RandomGenerator(seed: 84)
        for (layer, shape) in try layersAndInputs() {
            let output = try layer.forward(rng.normalTensor(shape: shape), mode: .training)
            let wrong = Tensor(zeros: output.shape.map { $0 + 1 })
            XCTAssertThrowsError(try layer.backward(wrong)) {
                XCTAssertEqual($0 as? NetworkError,
                               .shapeMismatch(layer: "\(layer.name) (output gradient)", expected: output.shape, actual: wrong.shape))
            }
        }
    }

    func testMismatchedInputsNameLayerAndBothShapes() throws {
        let cases: [(Layer, [Int], [Int])] = [
            (MaxPool2d(name: "pool1", kernelSize: 2), [2, 3, 4], [2, -1, -1, -1]),
            (AvgPool2d(name: "avg1", kernelSize: 2), [5], [5, -1, -1, -1]),
            (GlobalAvgPool(name: "gap1"), [2, 3], [2, -1, -1, -1]),
            (BatchNorm2d(name: "bn1", channels: 3), [2, 4, 5, 5], [2, 3, -1, -1]),
            (Flatten(name: "flat1"), [7], [7, -1]),
            (Resize(name: "resize1", height: 4, width: 4), [1, 28, 28], [1, -1, -1, -1]),
            (RepeatChannels(name: "rgb1"), [9], [9, -1]),
        ]
        for (layer, shape, expected) in cases {
            XCTAssertThrowsError(try layer.forward(Tensor(zeros: shape), mode: .training)) { error in
                XCTAssertEqual(error as? NetworkError, .shapeMismatch(layer: layer.name, expected: expected, actual: shape))
                let message = "\(error)"
                XCTAssertTrue(message.contains(layer.name) && message.contains("\(shape)") && message.contains("\(expected)"), message)
            }
        }
    }

    func testInvalidConfigurationsNameTheLayer() {
        XCTAssertThrowsError(try MaxPool2d(name: "pool9", kernelSize: 5).forward(Tensor(zeros: [1, 1, 3, 3]), mode: .inference)) {
            guard case let .invalidConfiguration(layer, _)? = $0 as? NetworkError else { return XCTFail("\($0)") }
            XCTAssertEqual(layer, "pool9")
        }
        XCTAssertThrowsError(try Resize(name: "resize0", height: 0, width: 4).forward(Tensor(zeros: [1, 1, 3, 3]), mode: .inference)) {
            guard case let .invalidConfiguration(layer, _)? = $0 as? NetworkError else { return XCTFail("\($0)") }
            XCTAssertEqual(layer, "resize0")
        }
        XCTAssertThrowsError(try Dropout(name: "drop9", probability: 1.5, seed: 1)) {
            guard case let .invalidConfiguration(layer, _)? = $0 as? NetworkError else { return XCTFail("\($0)") }
            XCTAssertEqual(layer, "drop9")
        }
        XCTAssertThrowsError(try RepeatChannels(name: "rgb0", times: 0).outputShape(forInput: [1, 1, 2, 2]))
    }

    func testBatchNormLayerParametersAndRunningStatistics() throws {
        let bn = BatchNorm2d(name: "bn1", channels: 2)
        XCTAssertEqual(bn.scale.role, .scale)
        XCTAssertEqual(bn.shift.role, .shift)
        XCTAssertFalse(bn.scale.isSearchable)
        XCTAssertFalse(bn.shift.isSearchable)
        XCTAssertEqual(bn.scale.value.scalars, [1, 1])
        XCTAssertEqual(bn.shift.value.scalars, [0, 0])
        // Channel 0 holds 1, 2, 3, 4 and channel 1 holds 2, 4, 6, 8 over two samples.
        let x = Tensor(shape: [2, 2, 1, 2], scalars: [1, 2, 2, 4, 3, 4, 6, 8])
        _ = try bn.forward(x, mode: .training)
        XCTAssertEqual(bn.runningMean[0], 0.25, accuracy: 1e-6)
        XCTAssertEqual(bn.runningMean[1], 0.5, accuracy: 1e-6)
        XCTAssertEqual(bn.runningVariance[0], 0.9 + 0.1 * 5 / 3, accuracy: 1e-6)
        XCTAssertEqual(bn.runningVariance[1], 0.9 + 0.1 * 20 / 3, accuracy: 1e-5)
        // Inference uses the running statistics and leaves them alone.
        let y = try bn.forward(x, mode: .inference)
        XCTAssertEqual(Double(y[0, 0, 0, 0]), (1 - 0.25) / (0.9 + 0.5 / 3 + 1e-5).squareRoot(), accuracy: 1e-5)
        XCTAssertEqual(bn.runningMean[0], 0.25, accuracy: 1e-6)
    }

    func testDropoutLayerIsSeededAndIdentityInInference() throws {
        var rng = RandomGenerator(seed: 85)
        let x = rng.normalTensor(shape: [4, 50])
        let a = try Dropout(probability: 0.5, seed: 42), b = try Dropout(probability: 0.5, seed: 42)
        let ya = try a.forward(x, mode: .training)
        XCTAssertEqual(ya, try b.forward(x, mode: .training))
        XCTAssertNotEqual(ya, try a.forward(x, mode: .training), "each training pass draws a new mask")
        XCTAssertEqual(try a.forward(x, mode: .inference), x)
        // backward applies the mask of the last training pass.
        let yb = try b.forward(x, mode: .training)
        let mask = try b.backward(Tensor(repeating: 1, shape: x.shape))
        for i in 0..<x.count { XCTAssertEqual(yb[flat: i], x[flat: i] * mask[flat: i]) }
    }

    func testFlattenIsAReshape() throws {
        let x = Tensor(shape: [2, 2, 1, 2], scalars: [1, 2, 3, 4, 5, 6, 7, 8])
        let flatten = Flatten()
        let y = try flatten.forward(x, mode: .training)
        XCTAssertEqual(y, Tensor(shape: [2, 4], scalars: x.scalars))
        XCTAssertEqual(try flatten.backward(y), x)
    }
}
