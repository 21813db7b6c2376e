import TensorCore
import TestSupport
import XCTest

final class PoolingTests: XCTestCase {
    /// `1, 2, ..., 16` as a `[1, 1, 4, 4]` image.
    private let ramp = Tensor(shape: [1, 1, 4, 4], scalars: (1...16).map(Float.init))

    /// A tensor whose elements are distinct and at least 0.1 apart (a shuffled ramp), so that a
    /// finite-difference step of 0.01 never changes which element of a window is the maximum.
    private func distinctValues(_ shape: [Int], _ rng: inout RandomGenerator) -> Tensor {
        let order = rng.permutation(shape.reduce(1, *))
        return Tensor(shape: shape, scalars: order.map { Float($0) * 0.1 - 1 })
    }

    private let geometries: [PoolingGeometry] = [
        PoolingGeometry(kernelSize: 2),
        PoolingGeometry(kernelSize: 2, stride: 1),
        PoolingGeometry(kernelSize: 3, stride: 2, padding: 1),
        PoolingGeometry(kernelSize: 3, stride: 1, padding: 1),
        PoolingGeometry(kernelHeight: 3, kernelWidth: 2, stride: 2, padding: 1),
    ]

    /// Direct pooling of one window per output, in Double: the reference for the vectorised kernels.
    /// Returns the window maxima and means (padding excluded from the maxima, counted as zero in the means).
    private func referencePool(_ x: Tensor, _ g: PoolingGeometry) throws -> (maxima: Tensor, argmax: [Int], means: Tensor) {
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (oh, ow) = try g.outputSize(height: h, width: w)
        var maxima = Tensor(zeros: [n, c, oh, ow]), means = Tensor(zeros: [n, c, oh, ow])
        var argmax = [Int]()
        for i in 0..<n {
            for ch in 0..<c {
                for r in 0..<oh {
                    for col in 0..<ow {
                        var best = -Float.infinity, bestIndex = -1, sum = 0.0
                        for ki in 0..<g.kernelHeight {
                            for kj in 0..<g.kernelWidth {
                                let (ih, iw) = (r * g.stride - g.padding + ki, col * g.stride - g.padding + kj)
                                guard ih >= 0, ih < h, iw >= 0, iw < w else { continue }
                                sum += Double(x[i, ch, ih, iw])
                                if x[i, ch, ih, iw] > best { (best, bestIndex) = (x[i, ch, ih, iw], x.flatIndex([i, ch, ih, iw])) }
                            }
                        }
                        maxima[i, ch, r, col] = best
                        means[i, ch, r, col] = Float(sum / Double(g.kernelHeight * g.kernelWidth))
                        argmax.append(bestIndex)
                    }
                }
            }
        }
        return (maxima, argmax, means)
    }

    func testPoolingMatchesDirectReferenceIncludingVectorisedWidths() throws {
        var rng = RandomGenerator(seed: 25)
        // Widths 19 and 16 run the four-windows-at-a-time 2x2 kernels plus a scalar tail (or none).
        for (shape, g) in [([2, 3, 9, 19], PoolingGeometry(kernelSize: 2)), ([1, 2, 8, 16], PoolingGeometry(kernelSize: 2)),
                           ([2, 2, 9, 19], PoolingGeometry(kernelSize: 3, stride: 2, padding: 1)),
                           ([1, 2, 7, 10], PoolingGeometry(kernelHeight: 2, kernelWidth: 3, stride: 1, padding: 1))] {
            let x = distinctValues(shape, &rng)
            let reference = try referencePool(x, g)
            let result = try MaxPooling2D.forward(input: x, geometry: g)
            XCTAssertEqual(result.output, reference.maxima, "\(shape) \(g)")
            // A one-hot gradient per output lands exactly on that output's argmax.
            let routed = try MaxPooling2D.backward(outputGradient: Tensor(repeating: 1, shape: result.output.shape), selection: result.selection)
            var expected = Tensor(zeros: shape)
            for index in reference.argmax { expected[flat: index] += 1 }
            XCTAssertEqual(routed, expected, "\(shape) \(g)")
            let means = try AveragePooling2D.forward(input: x, geometry: g)
            XCTAssertLessThan(GradientCheck.maxError(means, reference.means), 1e-5, "\(shape) \(g)")
        }
    }

    func testMaxPoolPropagatesNaNLikePyTorch() throws {
        // Row-major window order: a NaN wins, later larger values do not replace it, a later NaN does.
        var x = Tensor(zeros: [1, 1, 2, 16])
        for i in 0..<32 { x[flat: i] = Float(i) }
        x[0, 0, 0, 4] = .nan                          // window 2 (columns 4, 5): NaN first
        (x[0, 0, 0, 10], x[0, 0, 1, 11]) = (.nan, .nan)  // window 5: the later NaN wins
        x[0, 0, 1, 15] = .nan                         // window 7: NaN last
        let result = try MaxPooling2D.forward(input: x, geometry: PoolingGeometry(kernelSize: 2))
        let gradient = try MaxPooling2D.backward(outputGradient: Tensor(repeating: 1, shape: [1, 1, 1, 8]), selection: result.selection)
        for window in 0..<8 {
            if [2, 5, 7].contains(window) {
                XCTAssertTrue(result.output[flat: window].isNaN, "window \(window)")
            } else {
                XCTAssertEqual(result.output[flat: window], Float(16 + 2 * window + 1), "window \(window)")
            }
        }
        XCTAssertEqual(gradient[0, 0, 0, 4], 1)
        XCTAssertEqual(gradient[0, 0, 1, 11], 1)
        XCTAssertEqual(gradient[0, 0, 0, 10], 0)
        XCTAssertEqual(gradient[0, 0, 1, 15], 1)
        // The general kernel follows the same rule.
        let square = Tensor(shape: [1, 1, 3, 3], scalars: [1, .nan, 9, 4, .nan, 2, 8, 3, 7])
        let general = try MaxPooling2D.forward(input: square, geometry: PoolingGeometry(kernelSize: 3))
        XCTAssertTrue(general.output[flat: 0].isNaN)
        let routed = try MaxPooling2D.backward(outputGradient: Tensor(repeating: 1, shape: [1, 1, 1, 1]), selection: general.selection)
        XCTAssertEqual(routed[0, 0, 1, 1], 1, "the later NaN wins")
    }

    // MARK: Max-pooling

    func testMaxPoolOfHandComputedFourByFour() throws {
        let x = Tensor(shape: [1, 1, 4, 4], scalars: [1, 2, 5, 3,
                                                      4, 0, 1, 8,
                                                      7, 6, 2, 2,
                                                      3, 9, 4, 1])
        let result = try MaxPooling2D.forward(input: x, geometry: PoolingGeometry(kernelSize: 2))
        XCTAssertEqual(result.output, Tensor(shape: [1, 1, 2, 2], scalars: [4, 8, 9, 4]))
        let dx = try MaxPooling2D.backward(outputGradient: Tensor(shape: [1, 1, 2, 2], scalars: [1, 2, 3, 4]),
                                           selection: result.selection)
        XCTAssertEqual(dx.scalars, [0, 0, 0, 0,
                                    1, 0, 0, 2,
                                    0, 0, 0, 0,
                                    0, 3, 4, 0])
    }

    func testMaxPoolWithPaddingIgnoresThePadding() throws {
        let negative = Tensor(shape: [1, 1, 4, 4], scalars: ramp.scalars.map { -$0 })
        let geometry = PoolingGeometry(kernelSize: 3, stride: 2, padding: 1)
        XCTAssertEqual(try MaxPooling2D.forward(input: ramp, geometry: geometry).output.scalars, [6, 8, 14, 16])
        // Padding is negative infinity, not zero: all-negative windows keep their own maximum.
        XCTAssertEqual(try MaxPooling2D.forward(input: negative, geometry: geometry).output.scalars, [-1, -2, -5, -6])
    }

    func testMaxPoolTiesGoToTheFirstElement() throws {
        let x = Tensor(repeating: 1, shape: [1, 1, 2, 2])
        let result = try MaxPooling2D.forward(input: x, geometry: PoolingGeometry(kernelSize: 2))
        let dx = try MaxPooling2D.backward(outputGradient: Tensor(repeating: 5, shape: [1, 1, 1, 1]), selection: result.selection)
        XCTAssertEqual(dx.scalars, [5, 0, 0, 0])
    }

    func testMaxPoolBackwardMatchesFiniteDifferences() throws {
        var rng = RandomGenerator(seed: 21)
        for g in geometries {
            let x = distinctValues([2, 2, 5, 6], &rng)
            let result = try MaxPooling2D.forward(input: x, geometry: g)
            let r = rng.normalTensor(shape: result.output.shape)
            let dx = try MaxPooling2D.backward(outputGradient: r, selection: result.selection)
            let numeric = try GradientCheck.numericGradient(of: x) {
                GradientCheck.projection(try MaxPooling2D.forward(input: $0, geometry: g).output, r)
            }
            XCTAssertLessThan(GradientCheck.maxError(dx, numeric), 1e-3, "\(g)")
        }
    }

    func testMaxPoolManyPlanesMatchesOnePlaneAtATime() throws {
        var rng = RandomGenerator(seed: 22)
        let x = rng.normalTensor(shape: [4, 16, 12, 12])
        let g = PoolingGeometry(kernelSize: 2)
        let whole = try MaxPooling2D.forward(input: x, geometry: g).output
        let planeSize = 144
        for plane in [0, 17, 63] {
            let single = Tensor(shape: [1, 1, 12, 12], scalars: Array(x.scalars[(plane * planeSize)..<((plane + 1) * planeSize)]))
            let pooled = try MaxPooling2D.forward(input: single, geometry: g).output
            XCTAssertEqual(pooled.scalars, Array(whole.scalars[(plane * 36)..<((plane + 1) * 36)]))
        }
    }

    func testMaxPoolRejectsBadShapesAndWindows() {
        XCTAssertThrowsError(try MaxPooling2D.forward(input: Tensor(zeros: [2, 3, 4]), geometry: PoolingGeometry(kernelSize: 2))) {
            XCTAssertTrue("\($0)".contains("[2, 3, 4]"), "\($0)")
        }
        XCTAssertThrowsError(try MaxPooling2D.forward(input: Tensor(zeros: [1, 1, 1, 1]), geometry: PoolingGeometry(kernelSize: 2)))
        XCTAssertThrowsError(try MaxPooling2D.forward(input: Tensor(zeros: [1, 1, 4, 4]),
                                                      geometry: PoolingGeometry(kernelSize: 2, padding: 2)))
        XCTAssertThrowsError(try MaxPooling2D.forward(input: Tensor(zeros: [1, 1, 4, 4]),
                                                      geometry: PoolingGeometry(kernelSize: 2, stride: 0)))
    }

    func testMaxPoolBackwardRejectsMismatchedGradient() throws {
        let result = try MaxPooling2D.forward(input: ramp, geometry: PoolingGeometry(kernelSize: 2))
        XCTAssertThrowsError(try MaxPooling2D.backward(outputGradient: Tensor(zeros: [1, 1, 3, 3]), selection: result.selection)) {
            XCTAssertEqual($0 as? TensorError, .shapeMismatch(operation: "maxpool2d backward (output gradient)",
                                                               expected: [1, 1, 2, 2], actual: [1, 1, 3, 3]))
        }
    }

    // MARK: Average-pooling

    func testAvgPoolOfHandComputedValues() throws {
        let plain = try AveragePooling2D.forward(input: ramp, geometry: PoolingGeometry(kernelSize: 2))
        XCTAssertEqual(plain.scalars, [3.5, 5.5, 11.5, 13.5])
        // count_include_pad=True: border windows still divide by 9.
        let padded = try AveragePooling2D.forward(input: ramp, geometry: PoolingGeometry(kernelSize: 3, stride: 2, padding: 1))
        let expected: [Float] = [14 / 9, 30 / 9, 57 / 9, 11]
        for (value, reference) in zip(padded.scalars, expected) { XCTAssertEqual(value, reference, accuracy: 1e-6) }
    }

    func testAvgPoolBackwardMatchesFiniteDifferences() throws {
        var rng = RandomGenerator(seed: 23)
        for g in geometries {
            let x = rng.normalTensor(shape: [2, 3, 5, 6])
            let y = try AveragePooling2D.forward(input: x, geometry: g)
            let r = rng.normalTensor(shape: y.shape)
            let dx = try AveragePooling2D.backward(outputGradient: r, inputShape: x.shape, geometry: g)
            let numeric = try GradientCheck.numericGradient(of: x) {
                GradientCheck.projection(try AveragePooling2D.forward(input: $0, geometry: g), r)
            }
            XCTAssertLessThan(GradientCheck.maxError(dx, numeric), 1e-3, "\(g)")
        }
    }

    func testAvgPoolBackwardRejectsMismatchedGradient() {
        XCTAssertThrowsError(try AveragePooling2D.backward(outputGradient: Tensor(zeros: [1, 1, 3, 3]), inputShape: [1, 1, 4, 4],
                                                           geometry: PoolingGeometry(kernelSize: 2))) {
            XCTAssertEqual($0 as? TensorError, .shapeMismatch(operation: "avgpool2d backward (output gradient)",
                                                               expected: [1, 1, 2, 2], actual: [1, 1, 3, 3]))
        }
        XCTAssertThrowsError(try AveragePooling2D.backward(outputGradient: Tensor(zeros: [1, 1, 2, 2]), inputShape: [1, -1, 4, 4],
                                                           geometry: PoolingGeometry(kernelSize: 2)))
    }

    // MARK: Global average-pooling

    func testGlobalAvgPoolAveragesEachPlane() throws {
        let x = Tensor(shape: [2, 2, 1, 3], scalars: [1, 2, 3, 4, 5, 6, -1, -2, -3, 0, 0, 9])
        XCTAssertEqual(try GlobalAveragePooling.forward(input: x), Tensor(shape: [2, 2], scalars: [2, 5, -2, 3]))
    }

    func testGlobalAvgPoolBackwardMatchesFiniteDifferences() throws {
        var rng = RandomGenerator(seed: 24)
        for shape in [[2, 3, 4, 5], [1, 2, 1, 1], [3, 1, 6, 2]] {
            let x = rng.normalTensor(shape: shape)
            let r = rng.normalTensor(shape: [shape[0], shape[1]])
            let dx = try GlobalAveragePooling.backward(outputGradient: r, inputShape: shape)
            let numeric = try GradientCheck.numericGradient(of: x) { GradientCheck.projection(try GlobalAveragePooling.forward(input: $0), r) }
            XCTAssertLessThan(GradientCheck.maxError(dx, numeric), 1e-3, "\(shape)")
        }
    }

    func testGlobalAvgPoolRejectsBadShapes() {
        XCTAssertThrowsError(try GlobalAveragePooling.forward(input: Tensor(zeros: [2, 3])))
        XCTAssertThrowsError(try GlobalAveragePooling.forward(input: Tensor(zeros: [2, 3, 0, 4])))
        XCTAssertThrowsError(try GlobalAveragePooling.backward(outputGradient: Tensor(zeros: [2, 4]), inputShape: [2, 3, 2, 2])) {
            XCTAssertEqual($0 as? TensorError, .shapeMismatch(operation: "global average pool backward (output gradient)",
                                                               expected: [2, 3], actual: [2, 4]))
        }
    }
}
