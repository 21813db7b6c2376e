import TensorCore
import TestSupport
import XCTest

final class BilinearResizeTests: XCTestCase {
    /// PyTorch's align_corners=False sampling, written out in Double for one output pixel.
    private func reference(_ x: Tensor, _ n: Int, _ c: Int, _ oh: Int, _ ow: Int, height: Int, width: Int) -> Double {
        func source(_ o: Int, _ input: Int, _ output: Int) -> (Int, Int, Double) {
            let position = max((Double(o) + 0.5) * Double(input) / Double(output) - 0.5, 0)
            let lower = min(Int(position.rounded(.down)), input - 1)
            return (lower, min(lower + 1, input - 1), position - Double(lower))
        }
        let (h0, h1, dh) = source(oh, x.shape[2], height), (w0, w1, dw) = source(ow, x.shape[3], width)
        func at(_ h: Int, _ w: Int) -> Double { Double(x[n, c, h, w]) }
        return (1 - dh) * ((1 - dw) * at(h0, w0) + dw * at(h0, w1)) + dh * ((1 - dw) * at(h1, w0) + dw * at(h1, w1))
    }

    func testTwoByTwoToFourByFourMatchesPyTorch() throws {
        // torch.nn.functional.interpolate(tensor([[[[1., 2.], [3., 4.]]]]), size=(4, 4), mode="bilinear", align_corners=False)
        let x = Tensor(shape: [1, 1, 2, 2], scalars: [1, 2, 3, 4])
        let y = try BilinearResize.forward(input: x, height: 4, width: 4)
        XCTAssertEqual(y.shape, [1, 1, 4, 4])
        XCTAssertEqual(y.scalars, [1.0, 1.25, 1.75, 2.0,
                                   1.5, 1.75, 2.25, 2.5,
                                   2.5, 2.75, 3.25, 3.5,
                                   3.0, 3.25, 3.75, 4.0])
    }

    func testResizesMatchTheFormula() throws {
        var rng = RandomGenerator(seed: 51)
        for (inputSize, outputSize) in [((5, 7), (3, 2)), ((4, 4), (7, 9)), ((3, 5), (3, 5)), ((1, 2), (3, 1)), ((28, 28), (32, 32))] {
            let x = rng.normalTensor(shape: [2, 2, inputSize.0, inputSize.1])
            let y = try BilinearResize.forward(input: x, height: outputSize.0, width: outputSize.1)
            XCTAssertEqual(y.shape, [2, 2, outputSize.0, outputSize.1])
            for n in 0..<2 {
                for c in 0..<2 {
                    for oh in 0..<outputSize.0 {
                        for ow in 0..<outputSize.1 {
                            XCTAssertEqual(Double(y[n, c, oh, ow]), reference(x, n, c, oh, ow, height: outputSize.0, width: outputSize.1),
                                           accuracy: 1e-5, "\(inputSize) -> \(outputSize)")
                        }
                    }
                }
            }
            if inputSize == outputSize { XCTAssertEqual(y, x, "same size is the identity") }
        }
    }

    func testBackwardMatchesFiniteDifferences() throws {
        var rng = RandomGenerator(seed: 52)
        for (inputSize, outputSize) in [((2, 3), (5, 4)), ((5, 6), (2, 3)), ((4, 3), (6, 7)), ((3, 3), (3, 3))] {
            let x = rng.normalTensor(shape: [2, 2, inputSize.0, inputSize.1])
            let r = rng.normalTensor(shape: [2, 2, outputSize.0, outputSize.1])
            let dx = try BilinearResize.backward(outputGradient: r, inputShape: x.shape)
            let numeric = try GradientCheck.numericGradient(of: x) {
                GradientCheck.projection(try BilinearResize.forward(input: $0, height: outputSize.0, width: outputSize.1), r)
            }
            XCTAssertLessThan(GradientCheck.maxError(dx, numeric), 1e-3, "\(inputSize) -> \(outputSize)")
        }
    }

    func testRejectsBadSizes() {
        XCTAssertThrowsError(try BilinearResize.forward(input: Tensor(zeros: [1, 1, 2, 2]), height: 0, width: 3))
        XCTAssertThrowsError(try BilinearResize.forward(input: Tensor(zeros: [1, 2, 2]), height: 3, width: 3))
        XCTAssertThrowsError(try BilinearResize.backward(outputGradient: Tensor(zeros: [1, 2, 3, 3]), inputShape: [1, 1, 2, 2])) {
            XCTAssertEqual($0 as? TensorError, .shapeMismatch(operation: "bilinear resize backward (output gradient)",
                                                               expected: [1, 1, -1, -1], actual: [1, 2, 3, 3]))
        }
    }
}
