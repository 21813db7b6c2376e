@testable import TensorCore
import TestSupport
import XCTest

/// The unfolding of im2col and its adjoint on every instruction set this CPU runs, against index loops written from
/// their definitions, and the im2col convolution built on them against the loop reference on every path.
final class Im2ColTests: XCTestCase {
    /// Padded images (channels, height, width) and kernels (height, width, dilation) whose output rows are 1 to 35
    /// floats wide: rows below 4 floats, and rows that end after whole 16-, 8- and 4-float vectors plus single floats.
    private let cases: [(channels: Int, height: Int, width: Int, kernelHeight: Int, kernelWidth: Int, dilation: Int)] = [
        (2, 5, 3, 3, 3, 1), (1, 4, 4, 2, 2, 1), (3, 6, 11, 3, 1, 1), (2, 9, 12, 5, 5, 1), (1, 7, 21, 2, 6, 1),
        (6, 14, 14, 5, 5, 1), (1, 28, 28, 5, 5, 1), (2, 8, 29, 3, 3, 2), (1, 6, 39, 3, 5, 1), (2, 5, 16, 1, 1, 1),
        (1, 5, 9, 3, 5, 1), (2, 6, 14, 3, 3, 1), (1, 6, 30, 3, 3, 1),   // rows of 5, 12 and 28: a 4-float tail
    ]

    private var paths: [KernelPath] { KernelPath.allCases.filter(\.isSupported) }

    /// Every patch-matrix entry is the input element it names, rows `rowStride` apart with other images' columns
    /// between them left alone: bit for bit, as unfolding only copies.
    func testUnfoldCopiesEveryPatchEntryAndNothingElseOnEveryPath() throws {
        var rng = RandomGenerator(seed: 41)
        for c in cases {
            let g = geometry(c)
            let (oh, ow) = try g.outputSize(height: c.height, width: c.width)
            let image = (0..<c.channels * c.height * c.width).map { _ in rng.normal() }
            let rowStride = 2 * oh * ow + 3, offset = oh * ow + 1  // this image's columns between others'
            let sentinel: Float = -12345
            for path in paths {
                var columns = [Float](repeating: sentinel, count: g.patchSize * rowStride)
                image.withUnsafeBufferPointer { x in
                    columns.withUnsafeMutableBufferPointer { cols in
                        Im2Col.unfold(x.baseAddress!, paddedHeight: c.height, paddedWidth: c.width, geometry: g,
                                      outputHeight: oh, outputWidth: ow, into: cols.baseAddress! + offset,
                                      rowStride: rowStride, path: path)
                    }
                }
                var expected = [Float](repeating: sentinel, count: columns.count)
                forEachEntry(c, oh: oh, ow: ow) { row, column, pixel in
                    expected[row * rowStride + offset + column] = image[pixel]
                }
                XCTAssertEqual(columns, expected, "\(c) \(path)")
            }
        }
    }

    /// Folding adds every patch-gradient entry onto the input element it came from, in patch-row order: bit for bit
    /// what the same additions in a loop give (so also the same on every path), and nothing outside the image.
    func testFoldAddsEveryEntryOntoItsInputInOrderOnEveryPath() throws {
        var rng = RandomGenerator(seed: 42)
        for c in cases {
            let g = geometry(c)
            let (oh, ow) = try g.outputSize(height: c.height, width: c.width)
            let rowStride = oh * ow + 5
            let columns = (0..<g.patchSize * rowStride).map { _ in rng.normal() }
            let imageSize = c.channels * c.height * c.width, margin = 20
            let earlier = (0..<imageSize + 2 * margin).map { _ in rng.normal() }
            var expected = earlier
            forEachEntry(c, oh: oh, ow: ow) { row, column, pixel in
                expected[margin + pixel] += columns[row * rowStride + column]
            }
            for path in paths {
                var folded = earlier
                columns.withUnsafeBufferPointer { cols in
                    folded.withUnsafeMutableBufferPointer { image in
                        Im2Col.fold(cols.baseAddress!, paddedHeight: c.height, paddedWidth: c.width, geometry: g,
                                    outputHeight: oh, outputWidth: ow, into: image.baseAddress! + margin,
                                    rowStride: rowStride, path: path)
                    }
                }
                XCTAssertEqual(folded, expected, "\(c) \(path)")
            }
        }
    }

    /// The im2col convolution, forward and backward, on one and two threads, against the loop reference, with padding
    /// (folded through a private buffer) and without (folded into the input gradient itself), stride 1 (the vector
    /// kernels) and 2, input gradients in one block of channels and in several; every path gives the same bits, as only
    /// the copies and additions run on them.
    func testConvolutionMatchesLoopReferenceAndIsIdenticalOnEveryPath() throws {
        let defaultThreads = ComputeThreads.count
        defer { try? ComputeThreads.configure(threads: defaultThreads) }
        var rng = RandomGenerator(seed: 43)
        let geometries: [(ConvolutionGeometry, height: Int, width: Int)] = [
            (ConvolutionGeometry(inputChannels: 6, outputChannels: 7, kernelSize: 5), 9, 14),
            (ConvolutionGeometry(inputChannels: 1, outputChannels: 5, kernelSize: 5), 8, 27),
            (ConvolutionGeometry(inputChannels: 3, outputChannels: 4, kernelSize: 3, padding: 1), 9, 21),
            (ConvolutionGeometry(inputChannels: 2, outputChannels: 3, kernelHeight: 2, kernelWidth: 4, padding: 1), 7, 38),
            (ConvolutionGeometry(inputChannels: 2, outputChannels: 2, kernelSize: 3, padding: 2, dilation: 2), 8, 13),
            (ConvolutionGeometry(inputChannels: 3, outputChannels: 2, kernelSize: 3, stride: 2, padding: 1), 11, 9),
            // Input gradients in blocks of 5 + 2 channels (padded) and of 1 channel.
            (ConvolutionGeometry(inputChannels: 7, outputChannels: 1, kernelSize: 3, padding: 1), 36, 36),
            (ConvolutionGeometry(inputChannels: 2, outputChannels: 1, kernelSize: 5), 41, 41),
        ]
        for (g, height, width) in geometries {
            let x = rng.normalTensor(shape: [3, g.inputChannels, height, width])
            if height == 36 || height == 41 {
                let plan = try ConvolutionPlan(input: x, weightShape: [g.outputChannels, g.inputChannels, g.kernelHeight, g.kernelWidth],
                                               bias: nil, geometry: g)
                XCTAssertEqual(plan.inputGradientChannelBlock, height == 36 ? 5 : 1, "\(g)")
            }
            let w = rng.normalTensor(shape: [g.outputChannels, g.inputChannels, g.kernelHeight, g.kernelWidth])
            let b = rng.normalTensor(shape: [g.outputChannels])
            let (oh, ow) = try g.outputSize(height: height, width: width)
            let dy = rng.normalTensor(shape: [3, g.outputChannels, oh, ow])
            let reference = try DirectConvolution.forward(x, w, b, g)
            let gradients = try DirectConvolution.gradients(dy, x, w, g)
            for threads in [1, 2] {
                try ComputeThreads.configure(threads: threads)
                var first: (y: Tensor, dw: Tensor, dx: Tensor)?
                for path in paths {
                    let y = try Convolution2D.forward(input: x, weight: w, bias: b, geometry: g, algorithm: .im2col, kernelPath: path)
                    var dw = Tensor(zeros: w.shape)
                    var db: Tensor? = nil
                    let dx = try XCTUnwrap(Convolution2D.backward(outputGradient: dy, input: x, weight: w, geometry: g,
                                                                  weightGradient: &dw, biasGradient: &db,
                                                                  algorithm: .im2col, kernelPath: path))
                    XCTAssertLessThan(GradientCheck.maxError(y, reference), 1e-4, "\(g) \(path) threads \(threads)")
                    XCTAssertLessThan(GradientCheck.maxError(dw, gradients.dw), 1e-3, "\(g) \(path) threads \(threads)")
                    XCTAssertLessThan(GradientCheck.maxError(dx, gradients.dx), 1e-4, "\(g) \(path) threads \(threads)")
                    if let first {
                        XCTAssertEqual(y.scalars, first.y.scalars, "\(g) \(path)")
                        XCTAssertEqual(dw.scalars, first.dw.scalars, "\(g) \(path)")
                        XCTAssertEqual(dx.scalars, first.dx.scalars, "\(g) \(path)")
                    } else {
                        first = (y, dw, dx)
                    }
                }
            }
        }
    }

    private func geometry(_ c: (channels: Int, height: Int, width: Int, kernelHeight: Int, kernelWidth: Int, dilation: Int))
        -> ConvolutionGeometry {
        ConvolutionGeometry(inputChannels: c.channels, outputChannels: 1, kernelHeight: c.kernelHeight,
                            kernelWidth: c.kernelWidth, stride: 1, padding: 0, dilation: c.dilation)
    }

    /// Calls `body(patch row, column, image index)` for every patch-matrix entry of a stride-1 unfolding, in the order
    /// of patch rows, output rows and output columns.
    private func forEachEntry(_ c: (channels: Int, height: Int, width: Int, kernelHeight: Int, kernelWidth: Int, dilation: Int),
                              oh: Int, ow: Int, _ body: (Int, Int, Int) -> Void) {
        var row = 0
        for channel in 0..<c.channels {
            for ki in 0..<c.kernelHeight {
                for kj in 0..<c.kernelWidth {
                    for r in 0..<oh {
                        for col in 0..<ow {
                            let pixel = (channel * c.height + r + ki * c.dilation) * c.width + col + kj * c.dilation
                            body(row, r * ow + col, pixel)
                        }
                    }
                    row += 1
                }
            }
        }
    }
}
