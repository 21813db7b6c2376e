import TensorCore
import XCTest

/// The CSR matrix and the sparse products: hand-computed cases, and against a Double-precision triple loop, GEMM
/// (`Matmul`) and the direct convolution on weights with whole kernels and single entries absent.
final class SparseMatrixTests: XCTestCase {
    /// A dense matrix with `density` of its `[rows, columns]` entries non-zero (the others exactly 0).
    private func randomMatrix(_ shape: [Int], density: Double, generator: inout RandomGenerator) -> Tensor {
        Tensor(shape: shape) { _ in generator.nextUnitDouble() < density ? generator.normal() : 0 }
    }

    /// The largest absolute difference between `a` and the Double values `b`.
    private func maximumDifference(_ a: Tensor, _ b: [Double]) -> Double {
        zip(a.scalars, b).reduce(0) { max($0, abs(Double($1.0) - $1.1)) }
    }

    func testStoresOnlyTheNonZerosRowByRow() throws {
        let matrix = try SparseMatrix(Tensor(shape: [3, 3], scalars: [1, 0, 2, 0, 0, 0, 0, -3, 0]))
        XCTAssertEqual(matrix.rowStarts, [0, 2, 2, 3])
        XCTAssertEqual(matrix.columnIndices, [0, 2, 1])
        XCTAssertEqual(matrix.values, [1, 2, -3])
        XCTAssertEqual(matrix.density, 3.0 / 9.0, accuracy: 1e-12)
        XCTAssertEqual(SparseMatrix.density(of: Tensor(shape: [3, 3], scalars: [1, 0, 2, 0, 0, 0, 0, -3, 0])), 3.0 / 9.0, accuracy: 1e-12)
        // A convolution weight [2, 1, 2, 2] is its [2, 4] im2col matrix.
        let convolution = try SparseMatrix(Tensor(shape: [2, 1, 2, 2], scalars: [0, 5, 0, 0, 0, 0, 0, 7]))
        XCTAssertEqual([convolution.rows, convolution.columns], [2, 4])
        XCTAssertEqual(convolution.columnIndices, [1, 3])
    }

    func testHandComputedProductOverwritesAndAccumulates() throws {
        // A = [[1, 0, 2], [0, 0, 0], [0, -3, 0]], B = [[1, 2], [3, 4], [5, 6]]: A · B = [[11, 14], [0, 0], [-9, -12]].
        let a = try SparseMatrix(Tensor(shape: [3, 3], scalars: [1, 0, 2, 0, 0, 0, 0, -3, 0]))
        let b: [Float] = [1, 2, 3, 4, 5, 6]
        var c = [Float](repeating: 100, count: 6)
        a.multiply(b, into: &c, columns: 2, ldb: 2, ldc: 2, beta: 0)
        XCTAssertEqual(c, [11, 14, 0, 0, -9, -12])
        a.multiply(b, into: &c, columns: 2, ldb: 2, ldc: 2, beta: 1)
        XCTAssertEqual(c, [22, 28, 0, 0, -18, -24])
    }

    /// Rows with more than four non-zeros (the unrolled loop and its remainder), column counts past a strip, and
    /// leading dimensions wider than the product.
    func testProductMatchesATripleLoop() throws {
        var generator = RandomGenerator(seed: 5)
        for (rows, inner, columns, density) in [(7, 13, 5, 0.6), (9, 40, 1100, 0.3), (4, 3, 3, 1.0), (5, 6, 7, 0.0)] {
            let dense = randomMatrix([rows, inner], density: density, generator: &generator)
            let matrix = try SparseMatrix(dense)
            let ldb = columns + 3, ldc = columns + 2
            let b = (0..<(inner * ldb)).map { _ in generator.normal() }
            var c = [Float](repeating: .nan, count: rows * ldc)
            matrix.multiply(b, into: &c, columns: columns, ldb: ldb, ldc: ldc, beta: 0)
            for i in 0..<rows {
                for p in 0..<columns {
                    let expected = (0..<inner).reduce(0.0) { $0 + Double(dense[i, $1]) * Double(b[$1 * ldb + p]) }
                    XCTAssertEqual(Double(c[i * ldc + p]), expected, accuracy: 1e-4, "\(rows)x\(inner)x\(columns) at (\(i), \(p))")
                }
            }
        }
    }

    func testLinearForwardMatchesGEMMPlusBias() throws {
        var generator = RandomGenerator(seed: 9)
        for (batch, inputs, outputs) in [(1, 5, 3), (37, 57, 151), (8, 12, 10)] {
            let weight = randomMatrix([outputs, inputs], density: 0.35, generator: &generator)
            let bias = generator.normalTensor(shape: [outputs])
            let x = generator.normalTensor(shape: [batch, inputs])
            let sparse = try SparseMatrix(weight).linearForward(x, bias: bias)
            let product = try Matmul.forward(x, weight, transposeB: true)
            XCTAssertEqual(sparse.shape, [batch, outputs])
            for n in 0..<batch {
                for o in 0..<outputs {
                    XCTAssertEqual(sparse[n, o], product[n, o] + bias[o], accuracy: 1e-4)
                }
            }
            XCTAssertEqual(try SparseMatrix(weight).linearForward(x, bias: nil).shape, [batch, outputs])
        }
        XCTAssertThrowsError(try SparseMatrix(Tensor(zeros: [3, 4])).linearForward(Tensor(zeros: [2, 5]), bias: nil))
        XCTAssertThrowsError(try SparseMatrix(Tensor(zeros: [3, 4])).linearForward(Tensor(zeros: [2, 4]), bias: Tensor(zeros: [4])))
    }

    /// One 3x3 input, a 3x3 kernel whose only non-zero is `k` at the centre, plus a bias: every output is
    /// `k · x + b`; a kernel with only its top-left entry reads the pixel above-left (zero padding).
    func testHandComputedSparseConvolution() throws {
        let x = Tensor(shape: [1, 1, 3, 3], scalars: [1, 2, 3, 4, 5, 6, 7, 8, 9])
        let geometry = ConvolutionGeometry(inputChannels: 1, outputChannels: 2, kernelSize: 3, padding: 1)
        var kernels = Tensor(zeros: [2, 1, 3, 3])
        kernels[0, 0, 1, 1] = 2
        kernels[1, 0, 0, 0] = -1
        let y = try Convolution2D.forward(input: x, weight: SparseMatrix(kernels), bias: Tensor(shape: [2], scalars: [0.5, 1]), geometry: geometry)
        XCTAssertEqual(y.shape, [1, 2, 3, 3])
        XCTAssertEqual(Array(y.scalars[0..<9]), [2.5, 4.5, 6.5, 8.5, 10.5, 12.5, 14.5, 16.5, 18.5])
        XCTAssertEqual(Array(y.scalars[9..<18]), [1, 1, 1, 1, 0, -1, 1, -3, -4])
    }

    /// Whole kernels and single taps absent, on maps that are grouped into one product (7x7), one image per product
    /// (33x33, at least 1024 columns), and a 1x1 kernel (no unfolding), with one and two workers.
    func testSparseConvolutionMatchesDenseAndDirect() throws {
        var generator = RandomGenerator(seed: 13)
        let cases: [(batch: Int, inputs: Int, outputs: Int, kernel: Int, size: Int)] = [
            (5, 6, 9, 3, 7), (2, 3, 4, 3, 33), (3, 5, 7, 1, 6), (3, 4, 6, 5, 9),
        ]
        let threads = ComputeThreads.count
        defer { try? ComputeThreads.configure(threads: threads) }
        for c in cases {
            let geometry = ConvolutionGeometry(inputChannels: c.inputs, outputChannels: c.outputs, kernelSize: c.kernel, padding: c.kernel / 2)
            let area = c.kernel * c.kernel
            let keptKernels = (0..<(c.outputs * c.inputs)).map { _ in generator.nextUnitDouble() < 0.4 }
            let weight = Tensor(shape: [c.outputs, c.inputs, c.kernel, c.kernel]) { index in
                keptKernels[index / area] && generator.nextUnitDouble() < 0.8 ? generator.normal() : 0
            }
            let bias = generator.normalTensor(shape: [c.outputs])
            let x = generator.normalTensor(shape: [c.batch, c.inputs, c.size, c.size])
            let direct = try DirectConvolution.forward(x, weight, bias, geometry).scalars.map(Double.init)
            for workers in [1, 2] {
                try ComputeThreads.configure(threads: workers)
                let sparse = try Convolution2D.forward(input: x, weight: SparseMatrix(weight), bias: bias, geometry: geometry)
                let dense = try Convolution2D.forward(input: x, weight: weight, bias: bias, geometry: geometry, algorithm: .im2col)
                XCTAssertEqual(sparse.shape, [c.batch, c.outputs, c.size, c.size])
                XCTAssertLessThanOrEqual(maximumDifference(sparse, direct), 1e-4, "\(c), \(workers) workers")
                XCTAssertLessThanOrEqual(maximumDifference(sparse, dense.scalars.map(Double.init)), 1e-4, "\(c), \(workers) workers")
            }
        }
    }

    func testAWeightOfTheWrongShapeThrows() throws {
        let geometry = ConvolutionGeometry(inputChannels: 2, outputChannels: 3, kernelSize: 3, padding: 1)
        XCTAssertThrowsError(try Convolution2D.forward(input: Tensor(zeros: [1, 2, 4, 4]), weight: SparseMatrix(Tensor(zeros: [3, 2, 1, 1])),
                                                       bias: nil, geometry: geometry)) { error in
            XCTAssertTrue("\(error)".contains("sparse conv2d weight"), "\(error)")
        }
        XCTAssertThrowsError(try SparseMatrix(Tensor(shape: [], scalars: [1])))
    }
}
