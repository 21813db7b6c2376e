import Foundation
import NeuralNetwork
import TensorCore
import XCTest

/// PyTorch's published update rules (`torch.optim.SGD`, `Adam`, `AdamW`) in Double precision, one
/// entry at a time: the independent reference the optimizers are compared against.
///
/// It keeps an explicit step count per entry and initialises SGD's buffer on an entry's first step,
/// as PyTorch does, instead of relying on zero state; absent entries are simply skipped.
struct ReferenceOptimizer {
    enum Rule {
        case sgd(momentum: Double, nesterov: Bool, weightDecay: Double)
        case adam(beta1: Double, beta2: Double, epsilon: Double, weightDecay: Double, decoupled: Bool)
    }

    let rule: Rule
    var learningRate: Double
    var values: [Double]
    var present: [Bool]
    var momentumBuffer: [Double]
    var firstMoment: [Double]
    var secondMoment: [Double]
    var steps: [Int]

    init(rule: Rule, learningRate: Float, parameter: Parameter) {
        self.rule = rule
        self.learningRate = Double(learningRate)
        values = parameter.value.scalars.map(Double.init)
        present = parameter.mask.flags.map { $0 != 0 }
        momentumBuffer = Array(repeating: 0, count: values.count)
        firstMoment = momentumBuffer
        secondMoment = momentumBuffer
        steps = Array(repeating: 0, count: values.count)
    }

    /// The rule of `SGD` with the same (Float) hyper-parameters.
    static func rule(of sgd: SGD) -> Rule {
        .sgd(momentum: Double(sgd.momentum), nesterov: sgd.nesterov, weightDecay: Double(sgd.weightDecay))
    }

    /// The rule of `Adam` with the same (Float) hyper-parameters.
    static func rule(of adam: Adam) -> Rule {
        .adam(beta1: Double(adam.beta1), beta2: Double(adam.beta2), epsilon: Double(adam.epsilon),
              weightDecay: Double(adam.weightDecay), decoupled: false)
    }

    /// The rule of `AdamW` with the same (Float) hyper-parameters.
    static func rule(of adamW: AdamW) -> Rule {
        .adam(beta1: Double(adamW.beta1), beta2: Double(adamW.beta2), epsilon: Double(adamW.epsilon),
              weightDecay: Double(adamW.weightDecay), decoupled: true)
    }

    mutating func step(gradient: Tensor) {
        for i in values.indices where present[i] {
            var g = Double(gradient[flat: i])
            steps[i] += 1
            switch rule {
            case let .sgd(momentum, nesterov, weightDecay):
                g += weightDecay * values[i]
                if momentum != 0 {
                    momentumBuffer[i] = steps[i] == 1 ? g : momentum * momentumBuffer[i] + g
                    g = nesterov ? g + momentum * momentumBuffer[i] : momentumBuffer[i]
                }
                values[i] -= learningRate * g
            case let .adam(beta1, beta2, epsilon, weightDecay, decoupled):
                if decoupled {
                    values[i] *= 1 - learningRate * weightDecay
                } else {
                    g += weightDecay * values[i]
                }
                firstMoment[i] = beta1 * firstMoment[i] + (1 - beta1) * g
                secondMoment[i] = beta2 * secondMoment[i] + (1 - beta2) * g * g
                let t = Double(steps[i])
                let correction1 = 1 - pow(beta1, t), correction2 = 1 - pow(beta2, t)
                values[i] -= learningRate / correction1 * firstMoment[i]
                    / (secondMoment[i].squareRoot() / correction2.squareRoot() + epsilon)
            }
        }
    }

    /// Makes entry `i` present with value 0 and the state of a new parameter.
    mutating func activate(_ i: Int) {
        present[i] = true
        values[i] = 0
        momentumBuffer[i] = 0
        firstMoment[i] = 0
        secondMoment[i] = 0
        steps[i] = 0
    }

    /// Re-lays every entry out in `count` entries; new entries are absent and fresh.
    mutating func grow(to count: Int, embedding: (Int) -> Int) {
        func embed<T>(_ old: [T], _ fill: T) -> [T] {
            var new = Array(repeating: fill, count: count)
            for i in old.indices { new[embedding(i)] = old[i] }
            return new
        }
        values = embed(values, 0)
        present = embed(present, false)
        momentumBuffer = embed(momentumBuffer, 0)
        firstMoment = embed(firstMoment, 0)
        secondMoment = embed(secondMoment, 0)
        steps = embed(steps, 0)
    }

    /// The largest difference to `tensor`, absolute for values up to 1 in size and relative beyond.
    func maxError(_ tensor: Tensor) -> Double {
        zip(values, tensor.scalars).map { abs($0 - Double($1)) / max(1, abs($0)) }.max() ?? 0
    }
}

/// Hand-computed first steps that pin down both the optimizers and the Double reference.
final class ReferenceOptimizerTests: XCTestCase {
    private func scalarParameter(_ value: Float) -> Parameter {
        Parameter(name: "w", role: .weight, value: Tensor(shape: [1], scalars: [value]))
    }

    /// Runs `optimizer` and the reference on one entry starting at 1 and returns both value sequences.
    private func trajectories(_ optimizer: Optimizer, _ rule: ReferenceOptimizer.Rule, gradients: [Float]) throws -> ([Float], [Double]) {
        let parameter = scalarParameter(1)
        var reference = ReferenceOptimizer(rule: rule, learningRate: optimizer.learningRate, parameter: parameter)
        var actual: [Float] = [], expected: [Double] = []
        for g in gradients {
            parameter.gradient[flat: 0] = g
            try optimizer.step([parameter])
            reference.step(gradient: parameter.gradient)
            actual.append(parameter.value[flat: 0])
            expected.append(reference.values[0])
        }
        return (actual, expected)
    }

    func testSGDWithMomentumAndWeightDecayByHand() throws {
        // d₁ = 0.5 + 0.01·1 = 0.51, b₁ = d₁, w₁ = 1 − 0.1·0.51 = 0.949;
        // d₂ = 0.5 + 0.01·0.949 = 0.50949, b₂ = 0.9·0.51 + 0.50949 = 0.96849, w₂ = 0.949 − 0.096849 = 0.852151.
        let sgd = try SGD(learningRate: 0.1, momentum: 0.9, weightDecay: 0.01)
        let (actual, expected) = try trajectories(sgd, ReferenceOptimizer.rule(of: sgd), gradients: [0.5, 0.5])
        for (value, handComputed) in zip(expected, [0.949, 0.852151]) { XCTAssertEqual(value, handComputed, accuracy: 1e-6) }
        for (value, handComputed) in zip(actual, [0.949, 0.852151]) { XCTAssertEqual(value, Float(handComputed), accuracy: 1e-6) }
    }

    func testNesterovFirstStepByHand() throws {
        // d = 0.51, b = 0.51, step direction d + 0.9·b = 0.969, w = 1 − 0.0969.
        let sgd = try SGD(learningRate: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01)
        let (actual, expected) = try trajectories(sgd, ReferenceOptimizer.rule(of: sgd), gradients: [0.5])
        XCTAssertEqual(expected[0], 0.9031, accuracy: 1e-6)
        XCTAssertEqual(actual[0], 0.9031, accuracy: 1e-6)
    }

    func testAdamTwoStepsByHand() throws {
        // Step 1: m̂ = g, v̂ = g², so w moves by lr·g/(|g| + ε) ≈ 0.1.
        // Step 2 (g = −0.25): m = 0.02, v = 0.00031225, m̂ = 0.02/0.19, v̂ = 0.00031225/0.001999,
        // w = 0.9 − 0.1·m̂/(√v̂ + ε) = 0.873366299.
        let adam = try Adam(learningRate: 0.1)
        let (actual, expected) = try trajectories(adam, ReferenceOptimizer.rule(of: adam), gradients: [0.5, -0.25])
        for (value, handComputed) in zip(expected, [0.9, 0.873366299]) { XCTAssertEqual(value, handComputed, accuracy: 1e-5) }
        for (value, handComputed) in zip(actual, [0.9, 0.873366299]) { XCTAssertEqual(value, Float(handComputed), accuracy: 1e-5) }
    }

    func testAdamL2DecayEntersTheGradientNotTheValue() throws {
        // g = 0.5 + 0.1·1 = 0.6: the first step is still ≈ lr, so w ≈ 0.9, unlike AdamW's 0.89.
        let adam = try Adam(learningRate: 0.1, weightDecay: 0.1)
        let (actual, expected) = try trajectories(adam, ReferenceOptimizer.rule(of: adam), gradients: [0.5])
        XCTAssertEqual(expected[0], 0.9, accuracy: 1e-6)
        XCTAssertEqual(actual[0], 0.9, accuracy: 1e-6)
    }

    func testAdamWTwoStepsByHand() throws {
        // Step 1: w = 1·(1 − 0.1·0.1) − 0.1 = 0.89; step 2: 0.89·0.99 − 0.026633701 = 0.854466299.
        let adamW = try AdamW(learningRate: 0.1, weightDecay: 0.1)
        let (actual, expected) = try trajectories(adamW, ReferenceOptimizer.rule(of: adamW), gradients: [0.5, -0.25])
        for (value, handComputed) in zip(expected, [0.89, 0.854466299]) { XCTAssertEqual(value, handComputed, accuracy: 1e-5) }
        for (value, handComputed) in zip(actual, [0.89, 0.854466299]) { XCTAssertEqual(value, Float(handComputed), accuracy: 1e-5) }
    }
}
