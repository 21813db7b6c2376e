@testable import TensorCore
import TestSupport
import XCTest

/// The implicit GEMM on every instruction set this CPU runs, against the loop reference and finite differences.
final class ImplicitGEMMConvolutionTests: XCTestCase {
    /// Shapes that reach the kernel's tails: output channels not a multiple of 8 or 16 (1, 5, 13, 17, 33) and more than
    /// one block of 16, output rows narrower and wider than the widest tile (up to 16 columns) and not multiples of any
    /// tile, heights that leave a partial block of rows, 1x1 to 7x7 and non-square kernels, padding up to 3 (also wider
    /// than kernel - 1), a kernel larger than the image, and the channels of the benchmark's LeNet-5 shape.
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
        (ConvolutionGeometry(inputChannels: 2, outputChannels: 17, kernelSize: 5, padding: 2), 2, 3),
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

    /// Gradients added onto earlier values, on one and two threads, against the loop reference.
    func testBackwardMatchesLoopReferenceOnEveryPathAndThreadCount() throws {
        try ConvolutionKernelChecks.assertBackwardMatchesLoopReference(.implicitGEMM, cases: cases, paths: paths, seed: 42,
                                                                       weightTolerance: 1e-3)
    }

    func testBackwardMatchesFiniteDifferencesOnEveryPath() throws {
        try ConvolutionKernelChecks.assertBackwardMatchesFiniteDifferences(.implicitGEMM, paths: paths, seed: 43)
    }

    func testAnEmptyBatchGivesEmptyOutputsAndNoGradient() throws {
        try ConvolutionKernelChecks.assertEmptyBatchGivesNoGradient(.implicitGEMM, paths: paths)
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
