import NeuralNetwork
import TensorCore
import XCTest

final class GradientClippingTests: XCTestCase {
    /// `a` has gradient (3, 4); `b`'s present entry has gradient 0 and its absent entry 100, which must not count.
    private func parameters() -> [Parameter] {
        let a = Parameter(name: "a", role: .weight, value: Tensor(shape: [2], scalars: [1, 1]))
        a.gradient = Tensor(shape: [2], scalars: [3, 4])
        let b = Parameter(name: "b", role: .weight, value: Tensor(shape: [2], scalars: [1, 1]))
        b.applyMask(ArchitectureMask(shape: [2], flags: [true, false]))
        b.gradient = Tensor(shape: [2], scalars: [0, 100])
        return [a, b]
    }

    func testGlobalNormCountsPresentEntriesOnly() {
        XCTAssertEqual(GradientClipping.globalNorm(of: parameters()), 5, accuracy: 1e-12)
    }

    func testGradientsAboveTheLimitAreScaledToIt() throws {
        let clipped = parameters()
        XCTAssertEqual(try GradientClipping.clip(clipped, maximumNorm: 2.5), 5, accuracy: 1e-12)
        XCTAssertEqual(clipped[0].gradient.scalars, [1.5, 2])
        XCTAssertEqual(GradientClipping.globalNorm(of: clipped), 2.5, accuracy: 1e-6)
    }

    func testGradientsWithinTheLimitAreUnchanged() throws {
        let kept = parameters()
        try GradientClipping.clip(kept, maximumNorm: 5)
        XCTAssertEqual(kept[0].gradient.scalars, [3, 4])
        XCTAssertEqual(kept[1].gradient.scalars, [0, 100])
    }

    func testANonPositiveLimitThrows() {
        XCTAssertThrowsError(try GradientClipping.clip(parameters(), maximumNorm: 0)) { error in
            XCTAssertTrue("\(error)".contains("maximumNorm"), "\(error)")
        }
        XCTAssertThrowsError(try GradientClipping.clip(parameters(), maximumNorm: .nan))
    }
}
