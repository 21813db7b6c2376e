import TensorCore

extension LabeledDataset {
    /// Splits the samples into a training and a test part, stratified by class and determined by `seed`.
    ///
    /// For each class `c` (in order 0, 1, ...) the class's sample indices are shuffled with one
    /// `RandomGenerator(seed: seed)` and the first `round(testFraction * count(c))` go to the test part.
    /// Both parts keep the original sample order. The same seed gives the same split on every run.
    /// - Throws: `DatasetError.invalidArgument` if `testFraction` is not in [0, 1].
    public func split(testFraction: Double, seed: UInt64) throws -> (train: LabeledDataset, test: LabeledDataset) {
        guard testFraction >= 0, testFraction <= 1 else {
            throw DatasetError.invalidArgument(
                operation: "LabeledDataset.split", reason: "test fraction must be in [0, 1], got \(testFraction)")
        }
        var byClass = [[Int]](repeating: [], count: classCount)
        for (index, label) in labels.enumerated() { byClass[label].append(index) }
        var generator = RandomGenerator(seed: seed)
        var isTest = [Bool](repeating: false, count: count)
        for members in byClass {
            let testCount = Int((testFraction * Double(members.count)).rounded())
            for position in generator.permutation(members.count).prefix(testCount) {
                isTest[members[position]] = true
            }
        }
        let indices = Array(0..<count)
        return try (subset(indices.filter { !isTest[$0] }), subset(indices.filter { isTest[$0] }))
    }
}
