import NeuralNetwork
import TensorCore
import XCTest

final class SGDOptimizerTests: XCTestCase {
    func testMatchesPyTorchRuleOverSeveralSteps() throws {
        var generator = RandomGenerator(seed: 20)
        let optimizers = [
            try SGD(learningRate: 0.1),
            try SGD(learningRate: 0.05, weightDecay: 5e-4),
            try SGD(learningRate: 0.05, momentum: 0.9, weightDecay: 5e-4),
            try SGD(learningRate: 0.2, momentum: 0.5, nesterov: true),
            try SGD(learningRate: 0.05, momentum: 0.9, nesterov: true, weightDecay: 1e-2),
        ]
        for sgd in optimizers {
            let weight = Parameter(name: "w", role: .weight, value: generator.normalTensor(shape: [4, 5]))
            let bias = Parameter(name: "b", role: .bias, value: generator.normalTensor(shape: [5]))
            var references = [weight, bias].map {
                ReferenceOptimizer(rule: ReferenceOptimizer.rule(of: sgd), learningRate: sgd.learningRate, parameter: $0)
            }
            for step in 0..<6 {
                sgd.learningRate *= step == 3 ? 0.5 : 1  // a schedule may change the rate between steps
                for index in references.indices { references[index].learningRate = Double(sgd.learningRate) }
                weight.gradient = generator.normalTensor(shape: weight.shape)
                bias.gradient = generator.normalTensor(shape: bias.shape)
                try sgd.step([weight, bias])
                references[0].step(gradient: weight.gradient)
                references[1].step(gradient: bias.gradient)
            }
            XCTAssertLessThan(references[0].maxError(weight.value), 1e-5, "\(sgd.momentum) \(sgd.nesterov)")
            XCTAssertLessThan(references[1].maxError(bias.value), 1e-5, "\(sgd.momentum) \(sgd.nesterov)")
            XCTAssertEqual(weight.optimizerState.keys.sorted(), sgd.momentum > 0 ? [SGD.momentumSlot] : [])
        }
    }

    func testFirstStepInitialisesTheBufferToTheGradientPerEntry() throws {
        let sgd = try SGD(learningRate: 0.1, momentum: 0.9)
        let parameter = Parameter(name: "w", role: .weight, value: Tensor(shape: [3], scalars: [1, 2, 3]))
        parameter.applyMask(ArchitectureMask(shape: [3], flags: [true, false, true]))
        parameter.gradient = Tensor(shape: [3], scalars: [0.5, -1, 2])
        try sgd.step([parameter])
        try sgd.step([parameter])
        parameter.activate(1)
        parameter.gradient = Tensor(shape: [3], scalars: [0.25, -1, 2])
        try sgd.step([parameter])
        let buffer = try XCTUnwrap(parameter.optimizerState[SGD.momentumSlot])
        // Entry 1 takes its first step: its buffer is its gradient, as for a new parameter; entry 0
        // has the buffer of its third step, 0.9·(0.9·0.5 + 0.5) + 0.25.
        XCTAssertEqual(buffer[flat: 1], -1)
        XCTAssertEqual(buffer[flat: 0], 1.105, accuracy: 1e-6)
        XCTAssertEqual(parameter.value[flat: 1], 0.1, accuracy: 1e-7)
    }

    func testInvalidHyperparametersThrowWithTheirName() {
        let invalid: [(String, () throws -> SGD)] = [
            ("learning rate", { try SGD(learningRate: -0.1) }),
            ("learning rate", { try SGD(learningRate: .infinity) }),
            ("momentum", { try SGD(learningRate: 0.1, momentum: -0.9) }),
            ("momentum", { try SGD(learningRate: 0.1, momentum: .nan) }),
            ("weight decay", { try SGD(learningRate: 0.1, weightDecay: -1e-4) }),
            ("Nesterov", { try SGD(learningRate: 0.1, nesterov: true) }),
        ]
        for (name, make) in invalid {
            XCTAssertThrowsError(try make(), name) { error in
                guard case let .invalidHyperparameter(owner, reason)? = error as? OptimizerError else { return XCTFail("\(error)") }
                XCTAssertEqual(owner, "SGD")
                XCTAssertTrue(reason.contains(name), reason)
            }
        }
    }
}
