@testable import TensorCore
import TestSupport
import XCTest

/// The backward checks shared by the suites of the vector-kernel convolutions (direct and implicit GEMM), for one
/// ``ConvolutionAlgorithm`` on the kernel paths given.
enum ConvolutionKernelChecks {
    /// Gradients added onto earlier values, on one and two threads with a batch of 3 (not divisible by two workers),
    /// against the loop reference in Double; the weight gradient within `weightTolerance`, the others within 1e-4.
    static func assertBackwardMatchesLoopReference(
        _ algorithm: ConvolutionAlgorithm, cases: [(ConvolutionGeometry, height: Int, width: Int)], paths: [KernelPath],
        seed: UInt64, weightTolerance: Float, file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let defaultThreads = ComputeThreads.count
        defer { try? ComputeThreads.configure(threads: defaultThreads) }
        var rng = RandomGenerator(seed: seed)
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
                    let context = "\(algorithm) \(g) \(path) threads \(threads)"
                    var dw = earlier
                    var db: Tensor? = earlierBias
                    let dx = try XCTUnwrap(Convolution2D.backward(outputGradient: dy, input: x, weight: w, geometry: g,
                                                                  weightGradient: &dw, biasGradient: &db,
                                                                  algorithm: algorithm, kernelPath: path), file: file, line: line)
                    XCTAssertLessThan(GradientCheck.maxError(dw, expectedWeights), weightTolerance, context, file: file, line: line)
                    XCTAssertLessThan(GradientCheck.maxError(try XCTUnwrap(db), expectedBias), 1e-4, context, file: file, line: line)
                    XCTAssertLessThan(GradientCheck.maxError(dx, reference.dx), 1e-4, context, file: file, line: line)
                    var weightsOnly = earlier
                    var noBias: Tensor? = nil
                    let none = try Convolution2D.backward(outputGradient: dy, input: x, weight: w, geometry: g,
                                                          weightGradient: &weightsOnly, biasGradient: &noBias,
                                                          needsInputGradient: false, algorithm: algorithm, kernelPath: path)
                    XCTAssertNil(none, context, file: file, line: line)
                    XCTAssertLessThan(GradientCheck.maxError(weightsOnly, expectedWeights), weightTolerance, context,
                                      file: file, line: line)
                }
            }
        }
    }

    /// All three gradients of a 2 -> 3 channel 3x3 convolution with absent (zero) weights against finite differences.
    static func assertBackwardMatchesFiniteDifferences(_ algorithm: ConvolutionAlgorithm, paths: [KernelPath], seed: UInt64,
                                                       file: StaticString = #filePath, line: UInt = #line) throws {
        var rng = RandomGenerator(seed: seed)
        let g = ConvolutionGeometry(inputChannels: 2, outputChannels: 3, kernelSize: 3, padding: 1)
        let x = rng.normalTensor(shape: [2, 2, 5, 6])
        var w = rng.normalTensor(shape: [3, 2, 3, 3])
        for i in stride(from: 0, to: w.count, by: 3) { w[flat: i] = 0 }  // absent weights still get their gradient
        let b = rng.normalTensor(shape: [3])
        let r = rng.normalTensor(shape: [2, 3, 5, 6])
        for path in paths {
            let loss = { (x: Tensor, w: Tensor, b: Tensor) throws -> Double in
                GradientCheck.projection(try Convolution2D.forward(input: x, weight: w, bias: b, geometry: g,
                                                                   algorithm: algorithm, kernelPath: path), r)
            }
            var dw = Tensor(zeros: w.shape)
            var db: Tensor? = Tensor(zeros: b.shape)
            let dx = try XCTUnwrap(Convolution2D.backward(outputGradient: r, input: x, weight: w, geometry: g,
                                                          weightGradient: &dw, biasGradient: &db, algorithm: algorithm,
                                                          kernelPath: path), file: file, line: line)
            let context = "\(algorithm) \(path)"
            XCTAssertLessThan(GradientCheck.maxError(dx, try GradientCheck.numericGradient(of: x) { try loss($0, w, b) }), 2e-3,
                              context, file: file, line: line)
            XCTAssertLessThan(GradientCheck.maxError(dw, try GradientCheck.numericGradient(of: w) { try loss(x, $0, b) }), 2e-3,
                              context, file: file, line: line)
            XCTAssertLessThan(GradientCheck.maxError(try XCTUnwrap(db), try GradientCheck.numericGradient(of: b) { try loss(x, w, $0) }),
                              2e-3, context, file: file, line: line)
        }
    }

    /// An empty batch gives an empty output and input gradient and leaves the weight and bias gradients as they were.
    static func assertEmptyBatchGivesNoGradient(_ algorithm: ConvolutionAlgorithm, paths: [KernelPath],
                                                file: StaticString = #filePath, line: UInt = #line) throws {
        let g = ConvolutionGeometry(inputChannels: 2, outputChannels: 3, kernelSize: 3, padding: 1)
        let x = Tensor(zeros: [0, 2, 6, 6]), w = Tensor(repeating: 1, shape: [3, 2, 3, 3])
        for path in paths {
            let y = try Convolution2D.forward(input: x, weight: w, bias: nil, geometry: g, algorithm: algorithm, kernelPath: path)
            XCTAssertEqual(y.shape, [0, 3, 6, 6], file: file, line: line)
            var dw = Tensor(zeros: w.shape)
            var db: Tensor? = Tensor(zeros: [3])
            let dx = try Convolution2D.backward(outputGradient: Tensor(zeros: [0, 3, 6, 6]), input: x, weight: w, geometry: g,
                                                weightGradient: &dw, biasGradient: &db, algorithm: algorithm, kernelPath: path)
            XCTAssertEqual(dx?.shape, [0, 2, 6, 6], file: file, line: line)
            XCTAssertEqual(dw, Tensor(zeros: w.shape), file: file, line: line)
            XCTAssertEqual(db, Tensor(zeros: [3]), file: file, line: line)
        }
    }
}
