import TensorCore
import TestSupport
import XCTest

final class Convolution2DTests: XCTestCase {
    private let geometries: [ConvolutionGeometry] = [
        ConvolutionGeometry(inputChannels: 2, outputChannels: 3, kernelSize: 3, stride: 1, padding: 1),
        ConvolutionGeometry(inputChannels: 3, outputChannels: 2, kernelSize: 1),
        ConvolutionGeometry(inputChannels: 2, outputChannels: 2, kernelSize: 5, stride: 2, padding: 2),
        ConvolutionGeometry(inputChannels: 1, outputChannels: 2, kernelSize: 3, stride: 1, padding: 2, dilation: 2),
        ConvolutionGeometry(inputChannels: 2, outputChannels: 1, kernelSize: 7, stride: 3, padding: 3),
        ConvolutionGeometry(inputChannels: 2, outputChannels: 2, kernelHeight: 2, kernelWidth: 3, stride: 2, padding: 0),
        // Output rows 5 and 3 wide: a 4-float vector and single floats, single floats only.
        ConvolutionGeometry(inputChannels: 2, outputChannels: 3, kernelSize: 4),
        ConvolutionGeometry(inputChannels: 1, outputChannels: 2, kernelSize: 6),
    ]

    func testForwardMatchesDirectConvolution() throws {
        var rng = RandomGenerator(seed: 1)
        for g in geometries {
            let x = rng.normalTensor(shape: [3, g.inputChannels, 9, 8])
            let w = rng.normalTensor(shape: [g.outputChannels, g.inputChannels, g.kernelHeight, g.kernelWidth])
            let b = rng.normalTensor(shape: [g.outputChannels])
            let fast = try Convolution2D.forward(input: x, weight: w, bias: b, geometry: g)
            let slow = try DirectConvolution.forward(x, w, b, g)
            XCTAssertLessThan(GradientCheck.maxError(fast, slow), 1e-5, "\(g)")
        }
    }

    func testBackwardMatchesFiniteDifferencesIncludingZeroWeights() throws {
        var rng = RandomGenerator(seed: 2)
        for g in geometries {
            let x = rng.normalTensor(shape: [5, g.inputChannels, 7, 6])
            var w = rng.normalTensor(shape: [g.outputChannels, g.inputChannels, g.kernelHeight, g.kernelWidth])
            for i in stride(from: 0, to: w.count, by: 3) { w[flat: i] = 0 }  // absent weights still get their gradient
            let b = rng.normalTensor(shape: [g.outputChannels])
            let y = try Convolution2D.forward(input: x, weight: w, bias: b, geometry: g)
            let r = rng.normalTensor(shape: y.shape)
            var dw = Tensor(zeros: w.shape)
            var db: Tensor? = Tensor(zeros: b.shape)
            let dx = try XCTUnwrap(Convolution2D.backward(outputGradient: r, input: x, weight: w, geometry: g,
                                                          weightGradient: &dw, biasGradient: &db))
            let loss = { (x: Tensor, w: Tensor, b: Tensor) throws -> Double in
                GradientCheck.projection(try Convolution2D.forward(input: x, weight: w, bias: b, geometry: g), r)
            }
            let ndx = try GradientCheck.numericGradient(of: x) { try loss($0, w, b) }
            let ndw = try GradientCheck.numericGradient(of: w) { try loss(x, $0, b) }
            let ndb = try GradientCheck.numericGradient(of: b) { try loss(x, w, $0) }
            XCTAssertLessThan(GradientCheck.maxError(dx, ndx), 2e-3, "input gradient \(g)")
            XCTAssertLessThan(GradientCheck.maxError(dw, ndw), 2e-3, "weight gradient \(g)")
            XCTAssertLessThan(GradientCheck.maxError(try XCTUnwrap(db), ndb), 2e-3, "bias gradient \(g)")
        }
    }

    func testMismatchedChannelsThrowWithBothShapes() {
        let g = ConvolutionGeometry(inputChannels: 3, outputChannels: 2, kernelSize: 3)
        XCTAssertThrowsError(try Convolution2D.forward(input: Tensor(zeros: [1, 2, 5, 5]), weight: Tensor(zeros: [2, 3, 3, 3]),
                                                       bias: nil, geometry: g)) { error in
            XCTAssertTrue("\(error)".contains("[1, 2, 5, 5]"), "\(error)")
        }
        XCTAssertThrowsError(try Convolution2D.forward(input: Tensor(zeros: [1, 3, 2, 2]), weight: Tensor(zeros: [2, 3, 3, 3]),
                                                       bias: nil, geometry: g))
        // An image without pixels has nothing to convolve, even where padding would give it an output.
        let padded = ConvolutionGeometry(inputChannels: 3, outputChannels: 2, kernelSize: 1, padding: 1)
        XCTAssertThrowsError(try Convolution2D.forward(input: Tensor(zeros: [2, 3, 0, 5]), weight: Tensor(zeros: [2, 3, 1, 1]),
                                                       bias: nil, geometry: padded)) { error in
            XCTAssertTrue("\(error)".contains("no elements"), "\(error)")
        }
    }

    /// Feature maps of 256 outputs or more get one GEMM per image; smaller ones share GEMMs. Both, on one and
    /// two threads, must add the exact gradients onto what the gradient tensors already hold.
    func testLargeAndSmallMapsOnOneAndTwoThreadsAccumulateExactGradients() throws {
        let defaultThreads = ComputeThreads.count
        defer { try? ComputeThreads.configure(threads: defaultThreads) }
        var rng = RandomGenerator(seed: 4)
        let cases: [(ConvolutionGeometry, Int)] = [
            (ConvolutionGeometry(inputChannels: 2, outputChannels: 3, kernelSize: 3, padding: 1), 33),
            (ConvolutionGeometry(inputChannels: 3, outputChannels: 2, kernelSize: 1), 32),
            (ConvolutionGeometry(inputChannels: 2, outputChannels: 2, kernelSize: 3, stride: 2, padding: 1), 9),
        ]
        for (g, size) in cases {
            let x = rng.normalTensor(shape: [3, g.inputChannels, size, size])
            let w = rng.normalTensor(shape: [g.outputChannels, g.inputChannels, g.kernelHeight, g.kernelWidth])
            let (oh, ow) = try g.outputSize(height: size, width: size)
            let dy = rng.normalTensor(shape: [3, g.outputChannels, oh, ow])
            let earlier = rng.normalTensor(shape: w.shape), earlierBias = rng.normalTensor(shape: [g.outputChannels])
            let reference = try DirectConvolution.gradients(dy, x, w, g)
            let biasReference = dy.sumPerChannel()
            for threads in [1, 2] {
                try ComputeThreads.configure(threads: threads)
                var dw = earlier
                var db: Tensor? = earlierBias
                let dx = try XCTUnwrap(Convolution2D.backward(outputGradient: dy, input: x, weight: w, geometry: g,
                                                              weightGradient: &dw, biasGradient: &db))
                for i in 0..<dw.count {
                    XCTAssertEqual(dw[flat: i], earlier[flat: i] + reference.dw[flat: i], accuracy: 1e-3, "\(g) threads \(threads)")
                }
                for o in 0..<g.outputChannels {
                    XCTAssertEqual(try XCTUnwrap(db)[o], earlierBias[o] + biasReference[o], accuracy: 1e-3)
                }
                XCTAssertLessThan(GradientCheck.maxError(dx, reference.dx), 1e-4, "\(g) threads \(threads)")
                var dwWithoutInput = earlier
                var noBias: Tensor? = nil
                let none = try Convolution2D.backward(outputGradient: dy, input: x, weight: w, geometry: g,
                                                      weightGradient: &dwWithoutInput, biasGradient: &noBias, needsInputGradient: false)
                XCTAssertNil(none)
                XCTAssertLessThan(GradientCheck.maxError(dwWithoutInput, dw), 1e-4)
            }
        }
    }
}
