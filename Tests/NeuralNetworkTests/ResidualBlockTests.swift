import NeuralNetwork
import TensorCore
import TestSupport
import XCTest

final class ResidualBlockTests: XCTestCase {
    /// A CIFAR ResNet basic block body without its inner ReLU (whose kinks finite differences cannot follow):
    /// conv-BN-conv-BN.
    private func body(_ inputs: Int, _ outputs: Int, stride: Int, generator: inout RandomGenerator) -> Sequential {
        Sequential(name: "body", [
            Conv2d(name: "conv1", inputChannels: inputs, outputChannels: outputs, kernelSize: 3, stride: stride, padding: 1,
                   bias: false, generator: &generator),
            BatchNorm2d(name: "bn1", channels: outputs),
            Conv2d(name: "conv2", inputChannels: outputs, outputChannels: outputs, kernelSize: 3, padding: 1, bias: false,
                   generator: &generator),
            BatchNorm2d(name: "bn2", channels: outputs),
        ])
    }

    /// Identity and option-A shortcuts (stride 2, 2 -> 5 channels: 1 zero channel before, 2 after) against finite
    /// differences of the whole block; batch statistics make the evaluation run in training mode.
    func testGradientsMatchFiniteDifferences() throws {
        var rng = RandomGenerator(seed: 41)
        for (inputs, outputs, stride, size) in [(2, 2, 1, 4), (2, 5, 2, 5)] {
            let block = try ResidualBlock(name: "block", body: body(inputs, outputs, stride: stride, generator: &rng),
                                          inputChannels: inputs, outputChannels: outputs, stride: stride)
            try LayerCheck.assertGradients(block, input: rng.normalTensor(shape: [3, inputs, size, size]),
                                           evaluationMode: .training, step: 1e-2, tolerance: 5e-3, generator: &rng)
        }
    }

    /// The option-A shortcut by hand: every second pixel, zero channels split before and after.
    func testShortcutSubsamplesAndPadsChannelsAsPyTorch() throws {
        let x = Tensor(shape: [1, 1, 3, 3], scalars: (1...9).map(Float.init))
        let y = try PaddedSubsample.forward(input: x, stride: 2, addedChannels: 3)
        XCTAssertEqual(y.shape, [1, 4, 2, 2])
        XCTAssertEqual(y.scalars, [0, 0, 0, 0, 1, 3, 7, 9, 0, 0, 0, 0, 0, 0, 0, 0])
        let dx = try PaddedSubsample.backward(outputGradient: Tensor(shape: y.shape, scalars: (1...16).map(Float.init)),
                                              inputShape: x.shape, stride: 2, addedChannels: 3)
        XCTAssertEqual(dx.scalars, [5, 0, 6, 0, 0, 0, 7, 0, 8])
    }

    func testMismatchedBodyAndShortcutThrowNamingTheBlock() throws {
        var rng = RandomGenerator(seed: 42)
        let block = try ResidualBlock(name: "block3", body: body(2, 4, stride: 1, generator: &rng),
                                      inputChannels: 2, outputChannels: 4, stride: 2)
        XCTAssertThrowsError(try block.forward(rng.normalTensor(shape: [1, 2, 4, 4]), mode: .training)) { error in
            XCTAssertTrue("\(error)".contains("block3"), "\(error)")
        }
        XCTAssertThrowsError(try ResidualBlock(name: "shrinking", body: body(4, 2, stride: 1, generator: &rng),
                                               inputChannels: 4, outputChannels: 2))
        XCTAssertThrowsError(try block.backward(Tensor(zeros: [1, 4, 2, 2]))) { error in
            XCTAssertEqual(error as? NetworkError, .missingForward(layer: "block3"))
        }
    }
}
