import TensorCore
import TestSupport
import XCTest

final class RectifiedLinearTests: XCTestCase {
    func testForwardClampsNegativesAndKeepsNaN() {
        let x = Tensor(shape: [2, 3], scalars: [-2, -0.5, 0, 0.5, 3, .nan])
        let y = RectifiedLinear.forward(x)
        XCTAssertEqual(Array(y.scalars.prefix(5)), [0, 0, 0, 0.5, 3])
        XCTAssertTrue(y.scalars[5].isNaN)
        XCTAssertEqual(y.shape, [2, 3])
    }

    func testBackwardMatchesFiniteDifferences() throws {
        var rng = RandomGenerator(seed: 11)
        for shape in [[3, 4], [2, 3, 4, 5], [7]] {
            // Keep inputs away from the kink at zero so the finite differences stay on one side.
            var x = rng.normalTensor(shape: shape)
            for i in 0..<x.count where abs(x[flat: i]) < 0.05 { x[flat: i] = 0.1 }
            let r = rng.normalTensor(shape: shape)
            let y = RectifiedLinear.forward(x)
            let dx = try RectifiedLinear.backward(outputGradient: r, output: y)
            let numeric = GradientCheck.numericGradient(of: x) { GradientCheck.projection(RectifiedLinear.forward($0), r) }
            XCTAssertLessThan(GradientCheck.maxError(dx, numeric), 1e-3, "\(shape)")
        }
    }

    func testLargeInputIsSplitAcrossThreadsCorrectly() throws {
        var rng = RandomGenerator(seed: 12)
        let x = rng.normalTensor(shape: [3, 50_000])
        let y = RectifiedLinear.forward(x)
        let dx = try RectifiedLinear.backward(outputGradient: x, output: y)
        for i in 0..<x.count {
            XCTAssertEqual(y[flat: i], max(0, x[flat: i]))
            XCTAssertEqual(dx[flat: i], x[flat: i] > 0 ? x[flat: i] : 0)
        }
    }

    func testBackwardRejectsMismatchedGradient() {
        XCTAssertThrowsError(try RectifiedLinear.backward(outputGradient: Tensor(zeros: [2, 3]), output: Tensor(zeros: [3, 2]))) { error in
            XCTAssertEqual(error as? TensorError,
                           .shapeMismatch(operation: "relu backward (output gradient)", expected: [3, 2], actual: [2, 3]))
        }
    }
}
