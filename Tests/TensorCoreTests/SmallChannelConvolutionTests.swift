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
        let defaultThreads = ComputeThreads.count
        defer { try? ComputeThreads.configure(threads: defaultThreads) }
        var rng = RandomGenerator(seed: 32)
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
                                                                  algorithm: .direct, kernelPath: path))
                    XCTAssertLessThan(GradientCheck.maxError(dw, expectedWeights), 1e-4, "\(g) \(path) threads \(threads)")
                    XCTAssertLessThan(GradientCheck.maxError(try XCTUnwrap(db), expectedBias), 1e-4, "\(g) \(path)")
                    XCTAssertLessThan(GradientCheck.maxError(dx, reference.dx), 1e-4, "\(g) \(path) threads \(threads)")
                    var weightsOnly = earlier
                    var noBias: Tensor? = nil
                    let none = try Convolution2D.backward(outputGradient: dy, input: x, weight: w, geometry: g,
                                                          weightGradient: &weightsOnly, biasGradient: &noBias,
                                                          needsInputGradient: false, algorithm: .direct, kernelPath: path)
                    XCTAssertNil(none)
                    XCTAssertLessThan(GradientCheck.maxError(weightsOnly, expectedWeights), 1e-4, "\(g) \(path)")
                }
            }
        }
    }

    func testBackwardMatchesFiniteDifferencesOnEveryPath() throws {
        var rng = RandomGenerator(seed: 33)
        let g = ConvolutionGeometry(inputChannels: 2, outputChannels: 3, kernelSize: 3, padding: 1)
        let x = rng.normalTensor(shape: [2, 2, 5, 6])
        var w = rng.normalTensor(shape: [3, 2, 3, 3])
        for i in stride(from: 0, to: w.count, by: 3) { w[flat: i] = 0 }  // absent weights still get their gradient
        let b = rng.normalTensor(shape: [3])
        let r = rng.normalTensor(shape: [2, 3, 5, 6])
        for path in paths {
            let loss = { (x: Tensor, w: Tensor, b: Tensor) throws -> Double in
                GradientCheck.projection(try Convolution2D.forward(input: x, weight: w, bias: b, geometry: g,
                                                                   algorithm: .direct, kernelPath: path), r)
            }
            var dw = Tensor(zeros: w.shape)
            var db: Tensor? = Tensor(zeros: b.shape)
            let dx = try XCTUnwrap(Convolution2D.backward(outputGradient: r, input: x, weight: w, geometry: g,
                                                          weightGradient: &dw, biasGradient: &db, algorithm: .direct,
                                                          kernelPath: path))
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
            let y = try Convolution2D.forward(input: x, weight: w, bias: nil, geometry: g, algorithm: .direct, kernelPath: path)
            XCTAssertEqual(y.shape, [0, 3, 6, 6])
            var dw = Tensor(zeros: w.shape)
            var db: Tensor? = Tensor(zeros: [3])
            let dx = try Convolution2D.backward(outputGradient: Tensor(zeros: [0, 3, 6, 6]), input: x, weight: w, geometry: g,
                                                weightGradient: &dw, biasGradient: &db, algorithm: .direct, kernelPath: path)
            XCTAssertEqual(dx?.shape, [0, 2, 6, 6])
            XCTAssertEqual(dw, Tensor(zeros: w.shape))
            XCTAssertEqual(db, Tensor(zeros: [3]))
        }
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
