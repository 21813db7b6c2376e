import TensorCore
import TestSupport
import XCTest

final class InvertedDropoutTests: XCTestCase {
    func testSameSeedGivesSameMaskAndDifferentSeedsDiffer() throws {
        let x = Tensor(repeating: 1, shape: [4, 1000])
        var a = RandomGenerator(seed: 7), b = RandomGenerator(seed: 7), c = RandomGenerator(seed: 8)
        let first = try InvertedDropout.forward(input: x, probability: 0.3, generator: &a)
        let second = try InvertedDropout.forward(input: x, probability: 0.3, generator: &b)
        let other = try InvertedDropout.forward(input: x, probability: 0.3, generator: &c)
        XCTAssertEqual(first.mask, second.mask)
        XCTAssertEqual(a, b, "the generator advances identically")
        XCTAssertNotEqual(first.mask, other.mask)
        // The generator advanced: the next mask is a fresh one.
        XCTAssertNotEqual(try InvertedDropout.forward(input: x, probability: 0.3, generator: &a).mask, first.mask)
    }

    func testMaskValuesAndExpectationArePreserved() throws {
        var rng = RandomGenerator(seed: 9)
        for p: Float in [0.1, 0.5, 0.8] {
            let x = Tensor(repeating: 2, shape: [100_000])
            let result = try InvertedDropout.forward(input: x, probability: p, generator: &rng)
            let kept = 1 / (1 - p)
            XCTAssertTrue(result.mask.scalars.allSatisfy { $0 == 0 || $0 == kept })
            let dropped = result.mask.scalars.lazy.filter { $0 == 0 }.count
            XCTAssertEqual(Double(dropped) / 100_000, Double(p), accuracy: 0.01, "p = \(p)")
            let mean = result.output.scalars.reduce(0.0) { $0 + Double($1) } / 100_000
            XCTAssertEqual(mean, 2, accuracy: 0.05, "p = \(p)")
            for i in stride(from: 0, to: 100_000, by: 997) { XCTAssertEqual(result.output[flat: i], 2 * result.mask[flat: i]) }
        }
    }

    func testExtremeProbabilities() throws {
        var rng = RandomGenerator(seed: 10)
        let x = rng.normalTensor(shape: [3, 5])
        XCTAssertEqual(try InvertedDropout.forward(input: x, probability: 0, generator: &rng).output, x)
        XCTAssertEqual(try InvertedDropout.forward(input: x, probability: 1, generator: &rng).output, Tensor(zeros: [3, 5]))
        XCTAssertThrowsError(try InvertedDropout.forward(input: x, probability: 1.5, generator: &rng))
        XCTAssertThrowsError(try InvertedDropout.forward(input: x, probability: -0.1, generator: &rng))
        XCTAssertThrowsError(try InvertedDropout.forward(input: x, probability: .nan, generator: &rng))
    }

    func testMaskDoesNotDependOnThreadCount() throws {
        let previous = ComputeThreads.count
        defer { try? ComputeThreads.configure(threads: previous) }
        let x = Tensor(repeating: 1, shape: [200_000])
        try ComputeThreads.configure(threads: 1)
        var a = RandomGenerator(seed: 3)
        let single = try InvertedDropout.forward(input: x, probability: 0.5, generator: &a).mask
        try ComputeThreads.configure(threads: 3)
        var b = RandomGenerator(seed: 3)
        XCTAssertEqual(try InvertedDropout.forward(input: x, probability: 0.5, generator: &b).mask, single)
    }

    func testBackwardMatchesFiniteDifferences() throws {
        var rng = RandomGenerator(seed: 13)
        let x = rng.normalTensor(shape: [4, 6])
        let r = rng.normalTensor(shape: [4, 6])
        var generator = RandomGenerator(seed: 14)
        let result = try InvertedDropout.forward(input: x, probability: 0.4, generator: &generator)
        let dx = try InvertedDropout.backward(outputGradient: r, mask: result.mask)
        let numeric = try GradientCheck.numericGradient(of: x) {
            var fixed = RandomGenerator(seed: 14)  // the same mask every evaluation
            return GradientCheck.projection(try InvertedDropout.forward(input: $0, probability: 0.4, generator: &fixed).output, r)
        }
        XCTAssertLessThan(GradientCheck.maxError(dx, numeric), 1e-3)
        XCTAssertThrowsError(try InvertedDropout.backward(outputGradient: Tensor(zeros: [6, 4]), mask: result.mask))
    }
}
