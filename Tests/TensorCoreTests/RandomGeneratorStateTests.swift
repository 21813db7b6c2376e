import TensorCore
import XCTest

/// A generator rebuilt from its state continues the same sequence; impossible states are refused.
final class RandomGeneratorStateTests: XCTestCase {
    func testAGeneratorRebuiltFromItsStateContinuesTheSequence() throws {
        var original = RandomGenerator(seed: 42)
        for _ in 0..<5 { _ = original.next() }
        var restored = try XCTUnwrap(RandomGenerator(state: original.state))
        XCTAssertEqual(restored, original)
        XCTAssertEqual((0..<100).map { _ in restored.next() }, (0..<100).map { _ in original.next() })
    }

    func testImpossibleStatesAreRefused() {
        XCTAssertNil(RandomGenerator(state: [0, 0, 0, 0]), "xoshiro256** never reaches the zero state")
        XCTAssertNil(RandomGenerator(state: [1, 2, 3]))
        XCTAssertNil(RandomGenerator(state: [1, 2, 3, 4, 5]))
        XCTAssertNotNil(RandomGenerator(state: [0, 0, 0, 1]))
    }
}
