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
