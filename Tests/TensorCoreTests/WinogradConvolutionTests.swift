import TensorCore
import TestSupport
import XCTest

/// Winograd F(2x2, 3x3) against direct loops and finite differences, on even and odd maps (whose last tile
/// row or column lies outside the output), every padding it accepts, grouped images and one or two threads.
final class WinogradConvolutionTests: XCTestCase {
    /// (geometry, height, width, batch): even and odd outputs, padding 0, 1 and 2, one input channel and many, and
    /// batches that give each worker several groups of images, the last one not full.
    private let cases: [(ConvolutionGeometry, Int, Int, Int)] = [
        (ConvolutionGeometry(inputChannels: 3, outputChannels: 4, kernelSize: 3, padding: 1), 8, 8, 5),
        (ConvolutionGeometry(inputChannels: 2, outputChannels: 3, kernelSize: 3, padding: 1), 7, 9, 5),
        (ConvolutionGeometry(inputChannels: 1, outputChannels: 2, kernelSize: 3, padding: 0), 6, 5, 3),
        (ConvolutionGeometry(inputChannels: 2, outputChannels: 2, kernelSize: 3, padding: 2), 3, 4, 3),
        (ConvolutionGeometry(inputChannels: 17, outputChannels: 18, kernelSize: 3, padding: 1), 4, 4, 2),
        (ConvolutionGeometry(inputChannels: 2, outputChannels: 2, kernelSize: 3, padding: 1), 1, 1, 2),
        // 16 tiles per image, 4 images per group: groups of 4, 4, 2 on one thread and 4, 1 on each of two.
        (ConvolutionGeometry(inputChannels: 1, outputChannels: 2, kernelSize: 3, padding: 1), 7, 7, 10),
        // One image per group; rows of 16 tiles, and of 14 and 15 (vector blocks of 8 and then 6 or 7).
        (ConvolutionGeometry(inputChannels: 2, outputChannels: 3, kernelSize: 3, padding: 1), 32, 31, 3),
        (ConvolutionGeometry(inputChannels: 2, outputChannels: 3, kernelSize: 3, padding: 1), 5, 28, 2),
        (ConvolutionGeometry(inputChannels: 2, outputChannels: 3, kernelSize: 3, padding: 1), 4, 30, 2),
        // Products past every register block: rows of 13 outputs (blocks of 8, 6 and 4 and single rows) and of 5
        // inputs; 27 tiles per image, both in one group on one thread (54 tiles: a column block of 32, a lone 16
        // and 6 left over) and one each on two.
        (ConvolutionGeometry(inputChannels: 5, outputChannels: 13, kernelSize: 3, padding: 1), 6, 18, 2),
    ]

    private func withThreads(_ body: (Int) throws -> Void) throws {
        let defaultThreads = ComputeThreads.count
        defer { try? ComputeThreads.configure(threads: defaultThreads) }
        for threads in [1, 2] {
            try ComputeThreads.configure(threads: threads)
            try body(threads)
        }
    }

    /// Runs `body(geometry, input, weight, label, generator)` for every case on one and two threads, with random
    /// input and weights.
    private func forEachCase(seed: UInt64,
                             _ body: (ConvolutionGeometry, Tensor, Tensor, String, inout RandomGenerator) throws -> Void) throws {
        var rng = RandomGenerator(seed: seed)
        try withThreads { threads in
            for (g, height, width, batch) in cases {
                let x = rng.normalTensor(shape: [batch, g.inputChannels, height, width])
                let w = rng.normalTensor(shape: [g.outputChannels, g.inputChannels, 3, 3])
                try body(g, x, w, "\(g) \(height)x\(width) threads \(threads)", &rng)
            }
        }
    }

    func testForwardMatchesDirectConvolution() throws {
        try forEachCase(seed: 11) { g, x, w, label, rng in
            let b = rng.normalTensor(shape: [g.outputChannels])
            for bias in [b, nil] {
                let fast = try Convolution2D.forward(input: x, weight: w, bias: bias, geometry: g, algorithm: .winograd)
                let slow = try DirectConvolution.forward(x, w, bias, g)
                XCTAssertEqual(fast.shape, slow.shape)
                XCTAssertLessThan(GradientCheck.maxError(fast, slow), 1e-5, label)
            }
        }
    }

    func testBackwardAddsExactGradientsOntoExistingOnes() throws {
        try forEachCase(seed: 12) { g, x, w, label, rng in
            let (oh, ow) = try g.outputSize(height: x.shape[2], width: x.shape[3])
            let dy = rng.normalTensor(shape: [x.shape[0], g.outputChannels, oh, ow])
            let earlier = rng.normalTensor(shape: w.shape), earlierBias = rng.normalTensor(shape: [g.outputChannels])
            let reference = try DirectConvolution.gradients(dy, x, w, g)
            let biasReference = dy.sumPerChannel()
            var dw = earlier
            var db: Tensor? = earlierBias
            let dx = try XCTUnwrap(Convolution2D.backward(outputGradient: dy, input: x, weight: w, geometry: g,
                                                          weightGradient: &dw, biasGradient: &db, algorithm: .winograd))
            XCTAssertLessThan(GradientCheck.maxError(dx, reference.dx), 1e-4, label)
            for i in 0..<dw.count {
                XCTAssertEqual(dw[flat: i], earlier[flat: i] + reference.dw[flat: i], accuracy: 2e-3, label)
            }
            for o in 0..<g.outputChannels {
                XCTAssertEqual(try XCTUnwrap(db)[o], earlierBias[o] + biasReference[o], accuracy: 1e-3, label)
            }
            var dwOnly = earlier
            var noBias: Tensor? = nil
            XCTAssertNil(try Convolution2D.backward(outputGradient: dy, input: x, weight: w, geometry: g,
                                                    weightGradient: &dwOnly, biasGradient: &noBias,
                                                    needsInputGradient: false, algorithm: .winograd))
            XCTAssertNil(noBias)
            XCTAssertLessThan(GradientCheck.maxError(dwOnly, dw), 1e-5, label)
        }
    }

    /// The search scores absent weights by their gradient: it must be exact where the weight is zero.
    func testBackwardMatchesFiniteDifferencesIncludingZeroWeights() throws {
        var rng = RandomGenerator(seed: 13)
        for (g, height, width, _) in cases.prefix(4) {
            let x = rng.normalTensor(shape: [2, g.inputChannels, height, width])
            var w = rng.normalTensor(shape: [g.outputChannels, g.inputChannels, 3, 3])
            for i in stride(from: 0, to: w.count, by: 3) { w[flat: i] = 0 }
            let b = rng.normalTensor(shape: [g.outputChannels])
            let y = try Convolution2D.forward(input: x, weight: w, bias: b, geometry: g, algorithm: .winograd)
            let r = rng.normalTensor(shape: y.shape)
            var dw = Tensor(zeros: w.shape)
            var db: Tensor? = Tensor(zeros: b.shape)
            let dx = try XCTUnwrap(Convolution2D.backward(outputGradient: r, input: x, weight: w, geometry: g,
                                                          weightGradient: &dw, biasGradient: &db, algorithm: .winograd))
            let loss = { (x: Tensor, w: Tensor, b: Tensor) throws -> Double in
                GradientCheck.projection(try Convolution2D.forward(input: x, weight: w, bias: b, geometry: g, algorithm: .winograd), r)
            }
            XCTAssertLessThan(GradientCheck.maxError(dx, try GradientCheck.numericGradient(of: x) { try loss($0, w, b) }), 2e-3, "\(g)")
            XCTAssertLessThan(GradientCheck.maxError(dw, try GradientCheck.numericGradient(of: w) { try loss(x, $0, b) }), 2e-3, "\(g)")
            XCTAssertLessThan(GradientCheck.maxError(try XCTUnwrap(db), try GradientCheck.numericGradient(of: b) { try loss(x, w, $0) }),
                              2e-3, "\(g)")
        }
    }

    func testAnEmptyBatchGivesEmptyOutputsAndNoGradient() throws {
        let g = ConvolutionGeometry(inputChannels: 2, outputChannels: 3, kernelSize: 3, padding: 1)
        let x = Tensor(zeros: [0, 2, 6, 6]), w = Tensor(repeating: 1, shape: [3, 2, 3, 3])
        XCTAssertEqual(try Convolution2D.forward(input: x, weight: w, bias: nil, geometry: g, algorithm: .winograd).shape, [0, 3, 6, 6])
        var dw = Tensor(zeros: w.shape)
        var db: Tensor? = Tensor(zeros: [3])
        let dx = try Convolution2D.backward(outputGradient: Tensor(zeros: [0, 3, 6, 6]), input: x, weight: w, geometry: g,
                                            weightGradient: &dw, biasGradient: &db, algorithm: .winograd)
        XCTAssertEqual(dx?.shape, [0, 2, 6, 6])
        XCTAssertEqual(dw, Tensor(zeros: w.shape))
        XCTAssertEqual(db, Tensor(zeros: [3]))
    }

    func testAutomaticChoosesWinogradOnlyWhereItAppliesAndPays() throws {
        let wide = ConvolutionGeometry(inputChannels: 32, outputChannels: 64, kernelSize: 3, padding: 1)
        XCTAssertEqual(try ConvolutionAlgorithm.automatic.resolved(for: wide), .winograd)
        let narrow = ConvolutionGeometry(inputChannels: 4, outputChannels: 32, kernelSize: 3, padding: 1)
        XCTAssertEqual(try ConvolutionAlgorithm.automatic.resolved(for: narrow), .im2col)
        let strided = ConvolutionGeometry(inputChannels: 32, outputChannels: 64, kernelSize: 3, stride: 2, padding: 1)
        XCTAssertEqual(try ConvolutionAlgorithm.automatic.resolved(for: strided), .im2col)
        XCTAssertEqual(try ConvolutionAlgorithm.im2col.resolved(for: wide), .im2col)
    }

    func testWinogradOnAnotherGeometryThrowsNamingIt() {
        let g = ConvolutionGeometry(inputChannels: 2, outputChannels: 2, kernelSize: 5, padding: 2)
        XCTAssertThrowsError(try Convolution2D.forward(input: Tensor(zeros: [1, 2, 6, 6]), weight: Tensor(zeros: [2, 2, 5, 5]),
                                                       bias: nil, geometry: g, algorithm: .winograd)) { error in
            XCTAssertTrue("\(error)".contains("3x3") && "\(error)".contains("5x5"), "\(error)")
        }
        let dilated = ConvolutionGeometry(inputChannels: 2, outputChannels: 2, kernelSize: 3, padding: 2, dilation: 2)
        XCTAssertThrowsError(try ConvolutionAlgorithm.winograd.resolved(for: dilated))
    }
}
