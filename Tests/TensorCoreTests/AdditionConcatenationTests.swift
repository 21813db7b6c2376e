import TensorCore
import TestSupport
import XCTest

final class AdditionConcatenationTests: XCTestCase {
    func testAdditionAndItsGradients() throws {
        let a = Tensor(shape: [2, 2], scalars: [1, 2, 3, 4]), b = Tensor(shape: [2, 2], scalars: [10, 20, 30, 40])
        XCTAssertEqual(try Addition.forward(a, b).scalars, [11, 22, 33, 44])
        var rng = RandomGenerator(seed: 41)
        let x = rng.normalTensor(shape: [2, 3, 4, 4]), z = rng.normalTensor(shape: [2, 3, 4, 4]), r = rng.normalTensor(shape: [2, 3, 4, 4])
        let gradients = Addition.backward(outputGradient: r)
        let nx = try GradientCheck.numericGradient(of: x) { GradientCheck.projection(try Addition.forward($0, z), r) }
        let nz = try GradientCheck.numericGradient(of: z) { GradientCheck.projection(try Addition.forward(x, $0), r) }
        XCTAssertLessThan(GradientCheck.maxError(gradients.a, nx), 1e-3)
        XCTAssertLessThan(GradientCheck.maxError(gradients.b, nz), 1e-3)
    }

    func testAdditionRejectsDifferentShapes() {
        XCTAssertThrowsError(try Addition.forward(Tensor(zeros: [2, 3]), Tensor(zeros: [3, 2]))) {
            XCTAssertEqual($0 as? TensorError, .shapeMismatch(operation: "add (second operand)", expected: [2, 3], actual: [3, 2]))
        }
    }

    /// In-place addition gives `Addition.forward`'s bits on one and two threads, with a tensor large enough to be
    /// split (one addition per element: the same arithmetic), leaves its operand alone and rejects another shape.
    func testInPlaceAdditionMatchesAdditionOnEveryThreadCount() throws {
        let previous = ComputeThreads.count
        defer { try? ComputeThreads.configure(threads: previous) }
        var rng = RandomGenerator(seed: 43)
        let a = rng.normalTensor(shape: [3, 5, 91, 97]), b = rng.normalTensor(shape: [3, 5, 91, 97])
        let expected = try Addition.forward(a, b), original = a.scalars
        for threads in [1, 2] {
            try ComputeThreads.configure(threads: threads)
            var sum = a
            try sum.add(b)
            XCTAssertEqual(sum.scalars.map(\.bitPattern), expected.scalars.map(\.bitPattern), "\(threads) thread(s)")
            XCTAssertEqual(a.scalars, original, "the sum shares no storage with its first operand")
        }
        var other = Tensor(zeros: [2, 3])
        XCTAssertThrowsError(try other.add(Tensor(zeros: [3, 2]))) {
            XCTAssertEqual($0 as? TensorError, .shapeMismatch(operation: "add", expected: [2, 3], actual: [3, 2]))
        }
    }

    func testConcatenationJoinsChannelsPerSample() throws {
        let a = Tensor(shape: [2, 1, 1, 2], scalars: [1, 2, 3, 4])
        let b = Tensor(shape: [2, 2, 1, 2], scalars: [10, 11, 12, 13, 20, 21, 22, 23])
        let joined = try ChannelConcatenation.forward([a, b])
        XCTAssertEqual(joined.shape, [2, 3, 1, 2])
        XCTAssertEqual(joined.scalars, [1, 2, 10, 11, 12, 13, 3, 4, 20, 21, 22, 23])
        let parts = try ChannelConcatenation.backward(outputGradient: joined, channelCounts: [1, 2])
        XCTAssertEqual(parts, [a, b])
        let features = try ChannelConcatenation.forward([Tensor(shape: [2, 1], scalars: [1, 2]), Tensor(shape: [2, 2], scalars: [3, 4, 5, 6])])
        XCTAssertEqual(features, Tensor(shape: [2, 3], scalars: [1, 3, 4, 2, 5, 6]))
    }

    func testConcatenationBackwardMatchesFiniteDifferences() throws {
        var rng = RandomGenerator(seed: 42)
        let inputs = [rng.normalTensor(shape: [2, 1, 3, 2]), rng.normalTensor(shape: [2, 3, 3, 2]), rng.normalTensor(shape: [2, 2, 3, 2])]
        let r = rng.normalTensor(shape: [2, 6, 3, 2])
        let gradients = try ChannelConcatenation.backward(outputGradient: r, channelCounts: [1, 3, 2])
        for k in 0..<3 {
            let numeric = try GradientCheck.numericGradient(of: inputs[k]) { probe in
                var probed = inputs
                probed[k] = probe
                return GradientCheck.projection(try ChannelConcatenation.forward(probed), r)
            }
            XCTAssertLessThan(GradientCheck.maxError(gradients[k], numeric), 1e-3, "input \(k)")
        }
    }

    func testConcatenationRejectsMismatchedInputs() {
        XCTAssertThrowsError(try ChannelConcatenation.forward([]))
        XCTAssertThrowsError(try ChannelConcatenation.forward([Tensor(zeros: [2, 1, 3, 3]), Tensor(zeros: [2, 4, 3, 2])])) {
            XCTAssertEqual($0 as? TensorError, .shapeMismatch(operation: "concat input 1", expected: [2, 4, 3, 3], actual: [2, 4, 3, 2]))
        }
        XCTAssertThrowsError(try ChannelConcatenation.forward([Tensor(zeros: [2, 1, 3, 3]), Tensor(zeros: [2, 1, 3])]))
        XCTAssertThrowsError(try ChannelConcatenation.backward(outputGradient: Tensor(zeros: [2, 5, 3, 3]), channelCounts: [1, 3]))
        XCTAssertThrowsError(try ChannelConcatenation.backward(outputGradient: Tensor(zeros: [2, 2]), channelCounts: [3, -1]))
    }
}
