@testable import TensorCore
import TestSupport
import XCTest

/// The direct small-channel kernels on every instruction set this CPU runs, against the loop reference, im2col and
/// finite differences.
final class SmallChannelConvolutionTests: XCTestCase {
    /// Shapes that reach every block size of the kernels: 1 to 16 output channels (blocks of up to 8, and the blocks of
    /// fewer than 4 channels whose 3- or 5-high kernels share input rows), kernel widths
    /// 1 to 7, non-square kernels and images, rows shorter than a vector, rows of more than 4 vectors with a partial
    /// last one (75 columns), and heights that leave a partial block of rows.
    private let cases: [(ConvolutionGeometry, height: Int, width: Int)] = [
        (ConvolutionGeometry(inputChannels: 1, outputChannels: 6, kernelSize: 5, padding: 2), 12, 11),
        (ConvolutionGeometry(inputChannels: 3, outputChannels: 13, kernelSize: 3, padding: 1), 9, 7),
        (ConvolutionGeometry(inputChannels: 2, outputChannels: 7, kernelSize: 5), 10, 14),
        (ConvolutionGeometry(inputChannels: 4, outputChannels: 1, kernelSize: 1), 5, 6),
        (ConvolutionGeometry(inputChannels: 1, outputChannels: 5, kernelSize: 7, padding: 3), 8, 9),
        (ConvolutionGeometry(inputChannels: 2, outputChannels: 9, kernelHeight: 2, kernelWidth: 3, padding: 1), 6, 5),
        (ConvolutionGeometry(inputChannels: 6, outputChannels: 16, kernelSize: 5), 9, 8),
        (ConvolutionGeometry(inputChannels: 1, outputChannels: 3, kernelSize: 3, padding: 1), 7, 75),
        (ConvolutionGeometry(inputChannels: 3, outputChannels: 10, kernelSize: 5, padding: 1), 11, 37),
        (ConvolutionGeometry(inputChannels: 2, outputChannels: 1, kernelHeight: 4, kernelWidth: 6, padding: 2), 13, 16),
        (ConvolutionGeometry(inputChannels: 2, outputChannels: 5, kernelSize: 3, padding: 1), 9, 10),
    ]

    private var paths: [KernelPath] { KernelPath.allCases.filter(\.isSupported) }

    func testForwardMatchesLoopReferenceOnEveryPath() throws {
        var rng = RandomGenerator(seed: 31)
        for (g, height, width) in cases {
            let x = rng.normalTensor(shape: [3, g.inputChannels, height, width])
            let w = rng.normalTensor(shape: [g.outputChannels, g.inputChannels, g.kernelHeight, g.kernelWidth])
            let b = rng.normalTensor(shape: [g.outputChannels])
            let reference = try DirectConvolution.forward(x, w, b, g)
            for path in paths {
                let y = try Convolution2D.forward(input: x, weight: w, bias: b, geometry: g, algorithm: .direct, kernelPath: path)
                XCTAssertLessThan(GradientCheck.maxError(y, reference), 1e-5, "\(g) \(path)")
                let unbiased = try Convolution2D.forward(input: x, weight: w, bias: nil, geometry: g, algorithm: .direct,
                                                         kernelPath: path)
                let im2col = try Convolution2D.forward(input: x, weight: w, bias: nil, geometry: g, algorithm: .im2col)
                // Two Float summation orders of up to 150 products (the reference above sums in Double).
                XCTAssertLessThan(GradientCheck.maxError(unbiased, im2col), 1e-4, "\(g) \(path) without bias")
            }
        }
    }

    /// Gradients added onto earlier values, on one and two threads, against the loop reference.
    func testBackwardMatchesLoopReferenceOnEveryPathAndThreadCount() throws {
        try ConvolutionKernelChecks.assertBackwardMatchesLoopReference(.direct, cases: cases, paths: paths, seed: 32,
                                                                       weightTolerance: 1e-4)
    }

    func testBackwardMatchesFiniteDifferencesOnEveryPath() throws {
        try ConvolutionKernelChecks.assertBackwardMatchesFiniteDifferences(.direct, paths: paths, seed: 33)
    }

    func testAnEmptyBatchGivesEmptyOutputsAndNoGradient() throws {
        try ConvolutionKernelChecks.assertEmptyBatchGivesNoGradient(.direct, paths: paths)
    }

    func testAutomaticTakesDirectKernelsForFewInputAndOutputChannelsOnly() throws {
        let first = ConvolutionGeometry(inputChannels: 3, outputChannels: 32, kernelSize: 3, padding: 1)
        XCTAssertEqual(try ConvolutionAlgorithm.automatic.resolved(for: first), .direct)
        let wide = ConvolutionGeometry(inputChannels: 4, outputChannels: 4, kernelSize: 5)
        XCTAssertEqual(try ConvolutionAlgorithm.automatic.resolved(for: wide), .im2col)
        let manyOutputs = ConvolutionGeometry(inputChannels: 1, outputChannels: 32, kernelSize: 5)
        XCTAssertEqual(try ConvolutionAlgorithm.automatic.resolved(for: manyOutputs), .im2col)
        let strided = ConvolutionGeometry(inputChannels: 1, outputChannels: 4, kernelSize: 3, stride: 2, padding: 1)
        XCTAssertEqual(try ConvolutionAlgorithm.automatic.resolved(for: strided), .im2col)
        XCTAssertThrowsError(try ConvolutionAlgorithm.direct.resolved(for: strided))
        let dilated = ConvolutionGeometry(inputChannels: 1, outputChannels: 4, kernelSize: 3, dilation: 2)
        XCTAssertThrowsError(try ConvolutionAlgorithm.direct.resolved(for: dilated))
        let wideKernel = ConvolutionGeometry(inputChannels: 1, outputChannels: 4, kernelSize: 9)
        XCTAssertThrowsError(try ConvolutionAlgorithm.direct.resolved(for: wideKernel))
    }

    func testKernelPathOverrideIsCheckedAndDefaultsToWidestSupported() throws {
        XCTAssertTrue(KernelPath.portable.isSupported)
        XCTAssertEqual(try KernelPath.resolve(environmentValue: nil), paths.last)
        XCTAssertEqual(try KernelPath.resolve(environmentValue: ""), paths.last)
        for path in paths { XCTAssertEqual(try KernelPath.resolve(environmentValue: path.rawValue.uppercased()), path) }
        XCTAssertThrowsError(try KernelPath.resolve(environmentValue: "sse9")) { error in
            XCTAssertTrue("\(error)".contains("ILNAS_KERNELS"), "\(error)")
        }
        // A path given to a convolution is checked too (on a CPU without AVX-512, asking for it is an error, not a crash).
        for path in KernelPath.allCases { XCTAssertEqual((try? KernelPath.checked(path)) == path, path.isSupported, "\(path)") }
        XCTAssertEqual(try KernelPath.checked(nil), try KernelPath.current())
    }
}
