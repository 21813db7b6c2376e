import Foundation
import NeuralNetwork
import TensorCore
import XCTest

final class AdamOptimizerTests: XCTestCase {
    private let slots = [Adam.firstMomentSlot, Adam.secondMomentSlot, Adam.firstBiasCorrectionSlot, Adam.secondBiasCorrectionSlot]

    /// Steps `optimizer` and the reference ten times on a weight and a bias, halving the rate midway.
    private func assertMatchesReference(_ optimizer: Optimizer, _ rule: ReferenceOptimizer.Rule, betas: (Float, Float),
                                        generator: inout RandomGenerator, _ label: String) throws {
        let weight = Parameter(name: "w", role: .weight, value: generator.normalTensor(shape: [3, 7]))
        let bias = Parameter(name: "b", role: .bias, value: generator.normalTensor(shape: [7]))
        var references = [weight, bias].map { ReferenceOptimizer(rule: rule, learningRate: optimizer.learningRate, parameter: $0) }
        for step in 0..<10 {
            optimizer.learningRate *= step == 5 ? 0.5 : 1
            for index in references.indices { references[index].learningRate = Double(optimizer.learningRate) }
            weight.gradient = generator.normalTensor(shape: weight.shape)
            bias.gradient = generator.normalTensor(shape: bias.shape, standardDeviation: 1e-3)
            try optimizer.step([weight, bias])
            references[0].step(gradient: weight.gradient)
            references[1].step(gradient: bias.gradient)
        }
        for (parameter, reference) in zip([weight, bias], references) {
            XCTAssertLessThan(reference.maxError(parameter.value), 1e-5, "\(label) \(parameter.name)")
            XCTAssertEqual(parameter.optimizerState.keys.sorted(), slots.sorted(), label)
            let m = try XCTUnwrap(parameter.optimizerState[Adam.firstMomentSlot])
            let v = try XCTUnwrap(parameter.optimizerState[Adam.secondMomentSlot])
            for i in 0..<parameter.value.count {
                XCTAssertEqual(Double(m[flat: i]), reference.firstMoment[i], accuracy: 1e-5 * max(1e-3, abs(reference.firstMoment[i])), label)
                XCTAssertEqual(Double(v[flat: i]), reference.secondMoment[i], accuracy: 1e-5 * max(1e-6, reference.secondMoment[i]), label)
            }
            // After ten steps every entry's bias corrections are 1 − β¹⁰.
            let corrections = [(Adam.firstBiasCorrectionSlot, betas.0), (Adam.secondBiasCorrectionSlot, betas.1)]
            for (slot, beta) in corrections {
                let expected = 1 - pow(Double(beta), 10)
                let state = try XCTUnwrap(parameter.optimizerState[slot])
                XCTAssertTrue(state.scalars.allSatisfy { abs(Double($0) - expected) <= 1e-6 * expected }, "\(label) \(slot)")
            }
        }
    }

    func testAdamMatchesPyTorchRuleOverSeveralSteps() throws {
        var generator = RandomGenerator(seed: 30)
        for adam in [try Adam(learningRate: 0.01), try Adam(learningRate: 0.05, beta1: 0.8, beta2: 0.99, epsilon: 1e-6, weightDecay: 0.1)] {
            try assertMatchesReference(adam, ReferenceOptimizer.rule(of: adam), betas: (adam.beta1, adam.beta2),
                                       generator: &generator, "Adam wd \(adam.weightDecay)")
        }
    }

    func testAdamWMatchesPyTorchRuleOverSeveralSteps() throws {
        var generator = RandomGenerator(seed: 31)
        for adamW in [try AdamW(learningRate: 0.01), try AdamW(learningRate: 0.05, beta1: 0.5, beta2: 0.9, weightDecay: 0.3)] {
            try assertMatchesReference(adamW, ReferenceOptimizer.rule(of: adamW), betas: (adamW.beta1, adamW.beta2),
                                       generator: &generator, "AdamW wd \(adamW.weightDecay)")
        }
    }

    func testEntryActivatedLateTakesTheFirstStepOfANewParameter() throws {
        // Bias-corrected with the parameter's 20 steps instead of its own one, the new entry would
        // move by about half the learning rate; started fresh it moves by the learning rate.
        for optimizer in [try Adam(learningRate: 0.01, weightDecay: 0.1), try AdamW(learningRate: 0.01, weightDecay: 0.1)] as [Optimizer] {
            var generator = RandomGenerator(seed: 32)
            let parameter = Parameter(name: "w", role: .weight, value: generator.normalTensor(shape: [2, 3]))
            parameter.deactivate(4)
            for _ in 0..<20 {
                parameter.gradient = generator.normalTensor(shape: [2, 3])
                try optimizer.step([parameter])
            }
            XCTAssertEqual(parameter.value[flat: 4], 0)
            parameter.activate(4)
            parameter.gradient[flat: 4] = -1e-3
            try optimizer.step([parameter])
            XCTAssertEqual(parameter.value[flat: 4], 0.01, accuracy: 1e-7, "\(type(of: optimizer))")
            XCTAssertEqual(parameter.optimizerState[Adam.firstBiasCorrectionSlot]?[flat: 4] ?? 0, 0.1, accuracy: 1e-7)
        }
    }

    func testInvalidHyperparametersThrowWithTheirName() {
        let invalid: [(String, String, () throws -> Optimizer)] = [
            ("Adam", "learning rate", { try Adam(learningRate: -1e-3) }),
            ("Adam", "beta1", { try Adam(beta1: 1) }),
            ("Adam", "beta1", { try Adam(beta1: .nan) }),
            ("Adam", "beta2", { try Adam(beta2: -0.1) }),
            ("Adam", "epsilon", { try Adam(epsilon: 0) }),
            ("Adam", "weight decay", { try Adam(weightDecay: -0.1) }),
            ("AdamW", "learning rate", { try AdamW(learningRate: .infinity) }),
            ("AdamW", "beta2", { try AdamW(beta2: 1.5) }),
            ("AdamW", "epsilon", { try AdamW(epsilon: -1e-8) }),
            ("AdamW", "weight decay", { try AdamW(weightDecay: .nan) }),
        ]
        for (owner, name, make) in invalid {
            XCTAssertThrowsError(try make(), "\(owner) \(name)") { error in
                guard case let .invalidHyperparameter(actualOwner, reason)? = error as? OptimizerError else { return XCTFail("\(error)") }
                XCTAssertEqual(actualOwner, owner)
                XCTAssertTrue(reason.contains(name), reason)
            }
        }
    }
}
