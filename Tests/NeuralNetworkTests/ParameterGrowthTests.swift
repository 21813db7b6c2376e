import NeuralNetwork
import TensorCore
import XCTest

/// `Parameter.grow(to:)` keeps every entry, with its gradient, mask flag and optimizer state, at the same
/// multi-dimensional index of the larger shape; everything new is absent and zero.
final class ParameterGrowthTests: XCTestCase {
    /// The flat index in `shape` of the multi-dimensional index `index`.
    private func flat(_ index: [Int], in shape: [Int]) -> Int {
        zip(index, shape).reduce(0) { $0 * $1.1 + $1.0 }
    }

    /// The multi-dimensional index in `shape` of the flat index `flat`.
    private func index(_ flat: Int, in shape: [Int]) -> [Int] {
        var remainder = flat
        return shape.reversed().map { size in
            defer { remainder /= size }
            return remainder % size
        }.reversed()
    }

    func testEveryEntryKeepsItsIndexAndNewEntriesAreAbsentAndZero() {
        var generator = RandomGenerator(seed: 4)
        let cases: [([Int], [Int])] = [
            ([5], [9]), ([3, 4], [3, 6]), ([3, 4], [5, 4]), ([2, 3, 4], [4, 5, 6]),
            ([4, 3, 3, 3], [6, 3, 3, 3]), ([4, 3, 3, 3], [4, 5, 3, 3]), ([2, 1, 1, 1], [3, 2, 1, 1]), ([1, 2, 3, 2], [2, 3, 4, 5]),
            ([], []), ([0, 3], [2, 3]), ([2, 0], [2, 3]), ([0], [4]),
        ]
        for (old, new) in cases {
            let parameter = Parameter(name: "w", role: .weight, value: generator.normalTensor(shape: old))
            parameter.gradient = generator.normalTensor(shape: old)
            parameter.optimizerState["momentum"] = generator.normalTensor(shape: old)
            let absent = (0..<parameter.count).filter { _ in generator.uniform(0, 1) < 0.3 }
            for entry in absent { parameter.deactivate(entry) }
            let before = parameter.copy()
            parameter.grow(to: new)

            XCTAssertEqual(parameter.shape, new)
            var expectedValue = Tensor(zeros: new), expectedGradient = Tensor(zeros: new), expectedState = Tensor(zeros: new)
            var expectedMask = [Bool](repeating: false, count: new.reduce(1, *))
            for entry in 0..<before.count {
                let target = flat(index(entry, in: old), in: new)
                expectedValue[flat: target] = before.value[flat: entry]
                expectedGradient[flat: target] = before.gradient[flat: entry]
                expectedState[flat: target] = before.optimizerState["momentum"]![flat: entry]
                expectedMask[target] = before.mask.isActive(entry)
            }
            XCTAssertEqual(parameter.value, expectedValue, "\(old) -> \(new)")
            XCTAssertEqual(parameter.gradient, expectedGradient, "\(old) -> \(new)")
            XCTAssertEqual(parameter.optimizerState["momentum"], expectedState, "\(old) -> \(new)")
            XCTAssertEqual((0..<expectedMask.count).map { parameter.mask.isActive($0) }, expectedMask, "\(old) -> \(new)")
        }
    }
}
