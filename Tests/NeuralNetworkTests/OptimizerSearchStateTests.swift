import NeuralNetwork
import TensorCore
import XCTest

/// What the architecture search needs from every optimizer: absent entries stay exactly zero with
/// zero state, activated and grown entries start fresh, state stays aligned, and bad input throws.
final class OptimizerSearchStateTests: XCTestCase {
    private struct Case {
        let optimizer: Optimizer
        let rule: ReferenceOptimizer.Rule
        let slots: [String]
    }

    /// Fresh optimizers of every kind, with momentum and weight decay so that both would show on absent entries.
    private func cases() throws -> [Case] {
        let adamSlots = [Adam.firstMomentSlot, Adam.secondMomentSlot, Adam.firstBiasCorrectionSlot, Adam.secondBiasCorrectionSlot]
        let plain = try SGD(learningRate: 0.1, weightDecay: 0.01)
        let momentum = try SGD(learningRate: 0.1, momentum: 0.9, weightDecay: 0.01)
        let nesterov = try SGD(learningRate: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01)
        let adam = try Adam(learningRate: 0.05, weightDecay: 0.01)
        let adamW = try AdamW(learningRate: 0.05, weightDecay: 0.1)
        return [
            Case(optimizer: plain, rule: ReferenceOptimizer.rule(of: plain), slots: []),
            Case(optimizer: momentum, rule: ReferenceOptimizer.rule(of: momentum), slots: [SGD.momentumSlot]),
            Case(optimizer: nesterov, rule: ReferenceOptimizer.rule(of: nesterov), slots: [SGD.momentumSlot]),
            Case(optimizer: adam, rule: ReferenceOptimizer.rule(of: adam), slots: adamSlots),
            Case(optimizer: adamW, rule: ReferenceOptimizer.rule(of: adamW), slots: adamSlots),
        ]
    }

    /// A parameter with random values where every third entry is absent.
    private func maskedParameter(shape: [Int], generator: inout RandomGenerator) -> Parameter {
        let parameter = Parameter(name: "layer.weight", role: .weight, value: generator.normalTensor(shape: shape))
        let count = shape.reduce(1, *)
        parameter.applyMask(ArchitectureMask(shape: shape, flags: (0..<count).map { $0 % 3 != 0 }))
        return parameter
    }

    /// Gives every entry, present or absent, a random non-zero gradient and steps both optimizers.
    private func step(_ testCase: Case, _ parameter: Parameter, _ reference: inout ReferenceOptimizer,
                      generator: inout RandomGenerator) throws {
        parameter.gradient = generator.normalTensor(shape: parameter.shape)
        try testCase.optimizer.step([parameter])
        reference.step(gradient: parameter.gradient)
    }

    /// Asserts that every absent entry has value exactly +0 and exactly 0 in every state slot,
    /// although its gradient (its search score) is non-zero.
    private func assertAbsentEntriesAreZero(_ parameter: Parameter, slots: [String], _ label: String,
                                            file: StaticString = #filePath, line: UInt = #line) {
        let absent = parameter.mask.absentIndices
        XCTAssertFalse(absent.isEmpty, label, file: file, line: line)
        XCTAssertTrue(absent.allSatisfy { parameter.gradient[flat: $0] != 0 }, "\(label): gradients should be non-zero scores",
                      file: file, line: line)
        XCTAssertEqual(absent.filter { parameter.value[flat: $0].bitPattern != 0 }, [], "\(label) values", file: file, line: line)
        for slot in slots {
            guard let state = parameter.optimizerState[slot], state.shape == parameter.shape else {
                return XCTFail("\(label): slot \(slot) missing or misshaped", file: file, line: line)
            }
            XCTAssertEqual(absent.filter { state[flat: $0] != 0 }, [], "\(label) slot \(slot)", file: file, line: line)
        }
    }

    func testAbsentEntriesStayZeroWithZeroStateWhilePresentOnesFollowTheReference() throws {
        var generator = RandomGenerator(seed: 10)
        for testCase in try cases() {
            let label = "\(type(of: testCase.optimizer))"
            let parameter = maskedParameter(shape: [6, 7], generator: &generator)
            var reference = ReferenceOptimizer(rule: testCase.rule, learningRate: testCase.optimizer.learningRate, parameter: parameter)
            for _ in 0..<5 {
                try step(testCase, parameter, &reference, generator: &generator)
                assertAbsentEntriesAreZero(parameter, slots: testCase.slots, label)
            }
            XCTAssertLessThan(reference.maxError(parameter.value), 1e-5, label)
        }
    }

    func testActivatedEntryStartsWithFreshState() throws {
        var generator = RandomGenerator(seed: 11)
        for testCase in try cases() {
            let label = "\(type(of: testCase.optimizer))"
            let parameter = maskedParameter(shape: [5, 4], generator: &generator)
            var reference = ReferenceOptimizer(rule: testCase.rule, learningRate: testCase.optimizer.learningRate, parameter: parameter)
            for _ in 0..<4 { try step(testCase, parameter, &reference, generator: &generator) }
            for index in [0, 9] {
                parameter.activate(index)
                reference.activate(index)
            }
            for slot in testCase.slots { XCTAssertEqual(parameter.optimizerState[slot]?[flat: 9], 0, label) }
            for _ in 0..<3 {
                try step(testCase, parameter, &reference, generator: &generator)
                assertAbsentEntriesAreZero(parameter, slots: testCase.slots, label)
                XCTAssertLessThan(reference.maxError(parameter.value), 1e-5, label)
            }
        }
    }

    func testGrowthKeepsStateAlignedAndGrownEntriesStartFresh() throws {
        var generator = RandomGenerator(seed: 12)
        for testCase in try cases() {
            let label = "\(type(of: testCase.optimizer))"
            // A full [3, 4] weight gains two input columns: old (r, c) moves to (r, c) of [3, 6].
            let parameter = Parameter(name: "fc.weight", role: .weight, value: generator.normalTensor(shape: [3, 4]))
            var reference = ReferenceOptimizer(rule: testCase.rule, learningRate: testCase.optimizer.learningRate, parameter: parameter)
            for _ in 0..<3 { try step(testCase, parameter, &reference, generator: &generator) }
            let stateBefore = parameter.optimizerState
            let embedding = { (old: Int) in (old / 4) * 6 + old % 4 }
            parameter.grow(to: [3, 6], embedding: embedding)
            reference.grow(to: 18, embedding: embedding)
            for slot in testCase.slots {
                let (old, grown) = (try XCTUnwrap(stateBefore[slot]), try XCTUnwrap(parameter.optimizerState[slot]))
                for i in 0..<12 { XCTAssertEqual(grown[flat: embedding(i)], old[flat: i], "\(label) \(slot)") }
            }
            XCTAssertEqual(parameter.mask.absentIndices, [4, 5, 10, 11, 16, 17])
            for _ in 0..<2 {
                try step(testCase, parameter, &reference, generator: &generator)
                assertAbsentEntriesAreZero(parameter, slots: testCase.slots, label)
                XCTAssertLessThan(reference.maxError(parameter.value), 1e-5, label)
            }
            parameter.activate(5)
            reference.activate(5)
            for _ in 0..<2 {
                try step(testCase, parameter, &reference, generator: &generator)
                XCTAssertLessThan(reference.maxError(parameter.value), 1e-5, label)
            }
        }
    }

    func testMissingOrMisshapedStateRestartsFromZeroWithoutCrashing() throws {
        var generator = RandomGenerator(seed: 13)
        for testCase in try cases() where !testCase.slots.isEmpty {
            let label = "\(type(of: testCase.optimizer))"
            let parameter = maskedParameter(shape: [4, 4], generator: &generator)
            var reference = ReferenceOptimizer(rule: testCase.rule, learningRate: testCase.optimizer.learningRate, parameter: parameter)
            try step(testCase, parameter, &reference, generator: &generator)
            // The value is replaced behind the optimizer's back by a larger one, and the state is partly lost.
            parameter.value = Tensor(zeros: [4, 5])
            parameter.gradient = generator.normalTensor(shape: [4, 5])
            parameter.mask = ArchitectureMask(shape: [4, 5], allActive: true)
            parameter.optimizerState[testCase.slots[0]] = nil
            try testCase.optimizer.step([parameter])
            for slot in testCase.slots {
                XCTAssertEqual(parameter.optimizerState[slot]?.shape, [4, 5], "\(label) \(slot)")
            }
            XCTAssertTrue(parameter.value.scalars.allSatisfy(\.isFinite), label)
        }
    }

    func testInvalidInputThrowsAndUpdatesNothing() throws {
        var generator = RandomGenerator(seed: 14)
        for testCase in try cases() {
            let label = "\(type(of: testCase.optimizer))"
            let good = maskedParameter(shape: [3, 3], generator: &generator)
            good.gradient = generator.normalTensor(shape: [3, 3])
            let badGradient = maskedParameter(shape: [2, 2], generator: &generator)
            badGradient.gradient = Tensor(zeros: [4])
            let badMask = maskedParameter(shape: [2, 2], generator: &generator)
            badMask.mask = ArchitectureMask(shape: [2, 3], allActive: true)
            let before = good.value

            XCTAssertThrowsError(try testCase.optimizer.step([good, badGradient]), label) { error in
                XCTAssertEqual(error as? OptimizerError,
                               .shapeMismatch(parameter: "layer.weight", tensor: "gradient", expected: [2, 2], actual: [4]))
            }
            XCTAssertThrowsError(try testCase.optimizer.step([good, badMask]), label) { error in
                XCTAssertEqual(error as? OptimizerError,
                               .shapeMismatch(parameter: "layer.weight", tensor: "mask", expected: [2, 2], actual: [2, 3]))
            }
            testCase.optimizer.learningRate = -0.1
            XCTAssertThrowsError(try testCase.optimizer.step([good]), label) { error in
                guard case .invalidHyperparameter? = error as? OptimizerError else { return XCTFail("\(error)") }
                XCTAssertTrue("\(error)".contains("learning rate"), "\(error)")
            }
            testCase.optimizer.learningRate = .nan
            XCTAssertThrowsError(try testCase.optimizer.step([good]), label)
            XCTAssertEqual(good.value, before, label)
            XCTAssertTrue(good.optimizerState.isEmpty, label)
        }
    }

    func testParameterListedTwiceIsUpdatedOnce() throws {
        var generator = RandomGenerator(seed: 15)
        for (once, twice) in zip(try cases(), try cases()) {
            let a = maskedParameter(shape: [3, 5], generator: &generator)
            a.gradient = generator.normalTensor(shape: a.shape)
            let b = Parameter(name: a.name, role: a.role, value: a.value)
            b.mask = a.mask
            b.gradient = a.gradient
            try once.optimizer.step([a])
            try twice.optimizer.step([b, b])
            XCTAssertEqual(a.value, b.value, "\(type(of: once.optimizer))")
        }
    }

    func testTensorsSplitAcrossThreadsMatchTheReference() throws {
        let threads = ComputeThreads.count
        try ComputeThreads.configure(threads: max(threads, 3))
        defer { try? ComputeThreads.configure(threads: threads) }
        var generator = RandomGenerator(seed: 16)
        // One optimizer per element-wise loop: plain SGD, SGD with momentum, Adam's (shared with AdamW).
        for testCase in try cases().filter({ !($0.optimizer is AdamW) && !(($0.optimizer as? SGD)?.nesterov ?? false) }) {
            let label = "\(type(of: testCase.optimizer))"
            // Both exceed twice the 2¹⁷ entries a thread gets at least, so both are split.
            let masked = maskedParameter(shape: [520, 520], generator: &generator)
            let full = Parameter(name: "full", role: .weight, value: generator.normalTensor(shape: [513, 512]))
            var maskedReference = ReferenceOptimizer(rule: testCase.rule, learningRate: testCase.optimizer.learningRate, parameter: masked)
            var fullReference = ReferenceOptimizer(rule: testCase.rule, learningRate: testCase.optimizer.learningRate, parameter: full)
            masked.gradient = generator.uniformTensor(shape: masked.shape, low: 0.5, high: 1.5)
            full.gradient = generator.uniformTensor(shape: full.shape, low: -1, high: 1)
            for _ in 0..<2 {  // the second step uses the state the first one left in every chunk
                try testCase.optimizer.step([masked, full])
                maskedReference.step(gradient: masked.gradient)
                fullReference.step(gradient: full.gradient)
            }
            XCTAssertLessThan(maskedReference.maxError(masked.value), 1e-5, label)
            XCTAssertLessThan(fullReference.maxError(full.value), 1e-5, label)
            assertAbsentEntriesAreZero(masked, slots: testCase.slots, label)
        }
    }
}
