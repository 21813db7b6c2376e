import NeuralNetwork
import TensorCore
import TestSupport
import XCTest

/// Finite-difference checks of a layer's `backward`: the input gradient and every parameter gradient.
enum LayerCheck {
    /// The largest errors of `layer.backward` against central differences of the projection loss `Σ y ⊙ r`.
    ///
    /// Finite differences re-run `forward` in `evaluationMode` (training mode for layers whose output
    /// depends on batch statistics). Parameter gradients start from zero.
    static func errors(_ layer: Layer, input: Tensor, evaluationMode: ForwardMode = .inference, step: Float = 1e-2,
                       generator: inout RandomGenerator) throws -> (input: Float, parameters: [String: Float]) {
        let output = try layer.forward(input, mode: .training)
        let r = generator.normalTensor(shape: output.shape)
        for parameter in layer.parameters { parameter.zeroGradient() }
        let inputGradient = try layer.backward(r)
        let loss = { (x: Tensor) throws -> Double in GradientCheck.projection(try layer.forward(x, mode: evaluationMode), r) }
        let numericInput = try GradientCheck.numericGradient(of: input, step: step, loss)
        var parameterErrors: [String: Float] = [:]
        for parameter in layer.parameters {
            let saved = parameter.value
            let numeric = try GradientCheck.numericGradient(of: saved, step: step) { probe in
                parameter.value = probe
                defer { parameter.value = saved }
                return try loss(input)
            }
            parameterErrors[parameter.name] = GradientCheck.maxError(parameter.gradient, numeric)
        }
        return (GradientCheck.maxError(inputGradient, numericInput), parameterErrors)
    }

    /// Asserts that every gradient of `layer` agrees with finite differences within `tolerance`.
    static func assertGradients(_ layer: Layer, input: Tensor, evaluationMode: ForwardMode = .inference, step: Float = 1e-2,
                                tolerance: Float = 2e-3, generator: inout RandomGenerator,
                                file: StaticString = #filePath, line: UInt = #line) throws {
        let result = try errors(layer, input: input, evaluationMode: evaluationMode, step: step, generator: &generator)
        XCTAssertLessThan(result.input, tolerance, "\(layer.name) input gradient", file: file, line: line)
        for (name, error) in result.parameters {
            XCTAssertLessThan(error, tolerance, "\(name) gradient", file: file, line: line)
        }
    }
}
