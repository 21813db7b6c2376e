@testable import TensorCore
import TestSupport
import XCTest

/// The implicit GEMM on every instruction set this CPU runs, against the loop reference and finite differences.
final class ImplicitGEMMConvolutionTests: XCTestCase {
    /// Shapes that reach the kernel's tails: output channels not a multiple of 8 or 16 (1, 5, 13, 17, 33) and more than
    /// one block of 16, output rows narrower and wider than the widest tile (up to 16 columns) and not multiples of any
    /// tile, heights that leave a partial block of rows, 1x1 to 7x7 and non-square kernels, padding up to 3 (also wider
    /// than kernel - 1), and the channels of the benchmark's LeNet-5 shape.
    private let cases: [(ConvolutionGeometry, height: Int, width: Int)] = [
        (ConvolutionGeometry(inputChannels: 6, outputChannels: 16, kernelSize: 5), 12, 14),
        (ConvolutionGeometry(inputChannels: 3, outputChannels: 13, kernelSize: 3, padding: 1), 9, 7),
        (ConvolutionGeometry(inputChannels: 2, outputChannels: 17, kernelSize: 5), 8, 21),
        (ConvolutionGeometry(inputChannels: 4, outputChannels: 1, kernelSize: 1), 5, 6),
        (ConvolutionGeometry(inputChannels: 1, outputChannels: 5, kernelSize: 7, padding: 3), 8, 9),
        (ConvolutionGeometry(inputChannels: 2, outputChannels: 9, kernelHeight: 2, kernelWidth: 3, padding: 1), 6, 5),
        (ConvolutionGeometry(inputChannels: 5, outputChannels: 33, kernelSize: 3, padding: 3), 4, 3),
        (ConvolutionGeometry(inputChannels: 3, outputChannels: 20, kernelSize: 1, padding: 1), 3, 19),
        (ConvolutionGeometry(inputChannels: 7, outputChannels: 8, kernelHeight: 1, kernelWidth: 4), 2, 24),
    ]

    private var paths: [KernelPath] { KernelPath.allCases.filter(\.isSupported) }

    func testForwardMatchesLoopReferenceOnEveryPath() throws {
        var rng = RandomGenerator(seed: 41)
        for (g, height, width) in cases {
            let x = rng.normalTensor(shape: [3, g.inputChannels, height, width])
            let w = rng.normalTensor(shape: [g.outputChannels, g.inputChannels, g.kernelHeight, g.kernelWidth])
            let b = rng.normalTensor(shape: [g.outputChannels])
            let reference = try DirectConvolution.forward(x, w, b, g)
            let unbiasedReference = try DirectConvolution.forward(x, w, nil, g)
            for path in paths {
                let y = try Convolution2D.forward(input: x, weight: w, bias: b, geometry: g, algorithm: .implicitGEMM,
                                                  kernelPath: path)
                // Float sums of up to 150 products against Double ones.
                XCTAssertLessThan(GradientCheck.maxError(y, reference), 1e-4, "\(g) \(path)")
                let unbiased = try Convolution2D.forward(input: x, weight: w, bias: nil, geometry: g,
                                                         algorithm: .implicitGEMM, kernelPath: path)
                XCTAssertLessThan(GradientCheck.maxError(unbiased, unbiasedReference), 1e-4, "\(g) \(path) without bias")
            }
        }
    }

    /// Gradients added onto earlier values, on one and two threads with a batch of 3 (not divisible by two workers,
    /// and groups of images of different sizes), against the loop reference.
    func testBackwardMatchesLoopReferenceOnEveryPathAndThreadCount() throws {
        let defaultThreads = ComputeThreads.count
        defer { try? ComputeThreads.configure(threads: defaultThreads) }
        var rng = RandomGenerator(seed: 42)
        for (g, height, width) in cases {
            let x = rng.normalTensor(shape: [3, g.inputChannels, height, width])
            let w = rng.normalTensor(shape: [g.outputChannels, g.inputChannels, g.kernelHeight, g.kernelWidth])
            let (oh, ow) = try g.outputSize(height: height, width: width)
            let dy = rng.normalTensor(shape: [3, g.outputChannels, oh, ow])
            let earlier = rng.normalTensor(shape: w.shape), earlierBias = rng.normalTensor(shape: [g.outputChannels])
            let reference = try DirectConvolution.gradients(dy, x, w, g)
            let expectedWeights = Tensor(shape: w.shape) { earlier[flat: $0] + reference.dw[flat: $0] }
            let biasSums = dy.sumPerChannel()
            let expectedBias = Tensor(shape: [g.outputChannels]) { earlierBias[flat: $0] + biasSums[$0] }
            for path in paths {
                for threads in [1, 2] {
                    try ComputeThreads.configure(threads: threads)
                    var dw = earlier
                    var db: Tensor? = earlierBias
                    let dx = try XCTUnwrap(Convolution2D.backward(outputGradient: dy, input: x, weight: w, geometry: g,
                                                                  weightGradient: &dw, biasGradient: &db,
                                                                  algorithm: .implicitGEMM, kernelPath: path))
                    XCTAssertLessThan(GradientCheck.maxError(dw, expectedWeights), 1e-3, "\(g) \(path) threads \(threads)")
                    XCTAssertLessThan(GradientCheck.maxError(try XCTUnwrap(db), expectedBias), 1e-4, "\(g) \(path)")
                    XCTAssertLessThan(GradientCheck.maxError(dx, reference.dx), 1e-4, "\(g) \(path) threads \(threads)")
                    var weightsOnly = earlier
                    var noBias: Tensor? = nil
                    let none = try Convolution2D.backward(outputGradient: dy, input: x, weight: w, geometry: g,
                                                          weightGradient: &weightsOnly, biasGradient: &noBias,
                                                          needsInputGradient: false, algorithm: .implicitGEMM, kernelPath: path)
                    XCTAssertNil(none)
                    XCTAssertLessThan(GradientCheck.maxError(weightsOnly, expectedWeights), 1e-3, "\(g) \(path)")
                }
            }
        }
    }

    func testBackwardMatchesFiniteDifferencesOnEveryPath() throws {
        var rng = RandomGenerator(seed: 43)
        let g = ConvolutionGeometry(inputChannels: 2, outputChannels: 3, kernelSize: 3, padding: 1)
        let x = rng.normalTensor(shape: [2, 2, 5, 6])
        var w = rng.normalTensor(shape: [3, 2, 3, 3])
        for i in stride(from: 0, to: w.count, by: 3) { w[flat: i] = 0 }  // absent weights still get their gradient
        let b = rng.normalTensor(shape: [3])
        let r = rng.normalTensor(shape: [2, 3, 5, 6])
        for path in paths {
            let loss = { (x: Tensor, w: Tensor, b: Tensor) throws -> Double in
                GradientCheck.projection(try Convolution2D.forward(input: x, weight: w, bias: b, geometry: g,
                                                                   algorithm: .implicitGEMM, kernelPath: path), r)
            }
            var dw = Tensor(zeros: w.shape)
            var db: Tensor? = Tensor(zeros: b.shape)
            let dx = try XCTUnwrap(Convolution2D.backward(outputGradient: r, input: x, weight: w, geometry: g,
                                                          weightGradient: &dw, biasGradient: &db,
                                                          algorithm: .implicitGEMM, kernelPath: path))
            XCTAssertLessThan(GradientCheck.maxError(dx, try GradientCheck.numericGradient(of: x) { try loss($0, w, b) }), 2e-3)
            XCTAssertLessThan(GradientCheck.maxError(dw, try GradientCheck.numericGradient(of: w) { try loss(x, $0, b) }), 2e-3)
            XCTAssertLessThan(GradientCheck.maxError(try XCTUnwrap(db), try GradientCheck.numericGradient(of: b) { try loss(x, w, $0) }),
                              2e-3)
        }
    }

    func testAnEmptyBatchGivesEmptyOutputsAndNoGradient() throws {
        let g = ConvolutionGeometry(inputChannels: 2, outputChannels: 3, kernelSize: 3, padding: 1)
        let x = Tensor(zeros: [0, 2, 6, 6]), w = Tensor(repeating: 1, shape: [3, 2, 3, 3])
        for path in paths {
            let y = try Convolution2D.forward(input: x, weight: w, bias: nil, geometry: g, algorithm: .implicitGEMM,
                                              kernelPath: path)
            XCTAssertEqual(y.shape, [0, 3, 6, 6])
            var dw = Tensor(zeros: w.shape)
            var db: Tensor? = Tensor(zeros: [3])
            let dx = try Convolution2D.backward(outputGradient: Tensor(zeros: [0, 3, 6, 6]), input: x, weight: w, geometry: g,
                                                weightGradient: &dw, biasGradient: &db, algorithm: .implicitGEMM,
                                                kernelPath: path)
            XCTAssertEqual(dx?.shape, [0, 2, 6, 6])
            XCTAssertEqual(dw, Tensor(zeros: w.shape))
            XCTAssertEqual(db, Tensor(zeros: [3]))
        }
    }

    func testAutomaticTakesTheImplicitGEMMForLongPatchesThatNeitherWinogradNorDirectKernelsCompute() throws {
        func automatic(_ inputs: Int, _ outputs: Int, _ kernel: Int, stride: Int = 1, padding: Int = 0) throws -> ConvolutionAlgorithm {
            try ConvolutionAlgorithm.automatic.resolved(for: ConvolutionGeometry(inputChannels: inputs, outputChannels: outputs,
                                                                                 kernelSize: kernel, stride: stride, padding: padding))
        }
        XCTAssertEqual(try automatic(6, 16, 5), .implicitGEMM)      // LeNet-5's second convolution: 150 patch rows
        XCTAssertEqual(try automatic(32, 64, 5), .implicitGEMM)     // CNN-100k's second
        XCTAssertEqual(try automatic(5, 16, 5), .im2col)            // 125 rows
        XCTAssertEqual(try automatic(1, 32, 5), .im2col)            // a first layer with many outputs
        XCTAssertEqual(try automatic(32, 64, 3, padding: 1), .winograd)
        XCTAssertEqual(try automatic(3, 16, 3, padding: 1), .direct)
        XCTAssertEqual(try automatic(256, 64, 1), .im2col)          // pointwise: a GEMM on the image itself
        XCTAssertEqual(try automatic(32, 64, 5, stride: 2), .im2col)
    }

    func testStridedOrDilatedGeometryIsRejected() throws {
        let strided = ConvolutionGeometry(inputChannels: 1, outputChannels: 4, kernelSize: 3, stride: 2, padding: 1)
        XCTAssertThrowsError(try ConvolutionAlgorithm.implicitGEMM.resolved(for: strided)) { error in
            XCTAssertTrue("\(error)".contains("stride 2"), "\(error)")
        }
        let dilated = ConvolutionGeometry(inputChannels: 1, outputChannels: 4, kernelSize: 3, dilation: 2)
        XCTAssertThrowsError(try ConvolutionAlgorithm.implicitGEMM.resolved(for: dilated))
    }
}
