import TensorCore
import TestSupport
import XCTest

final class ChannelRepeatTests: XCTestCase {
    func testGreyToRGBCopiesTheChannel() throws {
        let grey = Tensor(shape: [2, 1, 1, 2], scalars: [1, 2, 3, 4])
        let rgb = try ChannelRepeat.forward(input: grey, times: 3)
        XCTAssertEqual(rgb.shape, [2, 3, 1, 2])
        XCTAssertEqual(rgb.scalars, [1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4])
        let gradient = try ChannelRepeat.backward(outputGradient: rgb, times: 3)
        XCTAssertEqual(gradient, Tensor(shape: [2, 1, 1, 2], scalars: [3, 6, 9, 12]))
    }

    func testTilesSeveralChannelsLikeTorchRepeat() throws {
        let x = Tensor(shape: [1, 2, 1, 1], scalars: [5, 6])
        XCTAssertEqual(try ChannelRepeat.forward(input: x, times: 2).scalars, [5, 6, 5, 6])
    }

    func testBackwardMatchesFiniteDifferences() throws {
        var rng = RandomGenerator(seed: 61)
        for (shape, times) in [([2, 1, 3, 3], 3), ([3, 2, 2, 1], 2), ([2, 3], 1)] {
            let x = rng.normalTensor(shape: shape)
            var outputShape = shape
            outputShape[1] *= times
            let r = rng.normalTensor(shape: outputShape)
            let dx = try ChannelRepeat.backward(outputGradient: r, times: times)
            let numeric = try GradientCheck.numericGradient(of: x) { GradientCheck.projection(try ChannelRepeat.forward(input: $0, times: times), r) }
            XCTAssertLessThan(GradientCheck.maxError(dx, numeric), 1e-3, "\(shape) x\(times)")
        }
    }

    func testRejectsBadArguments() {
        XCTAssertThrowsError(try ChannelRepeat.forward(input: Tensor(zeros: [2, 1, 2, 2]), times: 0))
        XCTAssertThrowsError(try ChannelRepeat.forward(input: Tensor(zeros: [4]), times: 3))
        XCTAssertThrowsError(try ChannelRepeat.backward(outputGradient: Tensor(zeros: [2, 4, 2, 2]), times: 3))
    }
}
