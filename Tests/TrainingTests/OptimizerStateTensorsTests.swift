import NeuralNetwork
import Serialization
import TensorCore
import Training
import XCTest

/// Optimizer buffers go to safetensors tensors by parameter name and come back exactly; a reader refuses any tensor
/// that is missing, not listed, or does not fit its parameter.
final class OptimizerStateTensorsTests: XCTestCase {
    private let path = "run/checkpoints/epoch-1.safetensors"

    /// Two parameters with Adam's buffers on the first and none on the second (no step taken yet).
    private func parameters() -> [Parameter] {
        var generator = RandomGenerator(seed: 4)
        let weight = Parameter(name: "fc.weight", role: .weight, value: generator.normalTensor(shape: [3, 2]))
        weight.optimizerState = [Adam.firstMomentSlot: generator.normalTensor(shape: [3, 2]),
                                 Adam.secondMomentSlot: generator.uniformTensor(shape: [3, 2], low: 0, high: 1)]
        return [weight, Parameter(name: "fc.bias", role: .bias, value: generator.normalTensor(shape: [3]))]
    }

    func testBuffersComeBackExactlyByParameterName() throws {
        let saved = parameters()
        let tensors = OptimizerStateTensors.tensors(of: saved)
        XCTAssertEqual(tensors.keys.sorted(), ["optimizer/adam.firstMoment/fc.weight", "optimizer/adam.secondMoment/fc.weight"])
        let loaded = parameters().reversed().map { parameter -> Parameter in
            parameter.optimizerState = [SGD.momentumSlot: Tensor(zeros: parameter.shape)]   // replaced, not merged
            return parameter
        }
        try OptimizerStateTensors.restore(tensors, names: tensors.keys.sorted(), into: loaded, path: path)
        XCTAssertEqual(loaded[1].optimizerState, saved[0].optimizerState)
        XCTAssertEqual(loaded[0].optimizerState, [:])
    }

    func testTensorsThatDoNotFitAreRefusedNamingThemAndNothingChanges() throws {
        let tensors = OptimizerStateTensors.tensors(of: parameters())
        let names = tensors.keys.sorted()
        let first = "optimizer/adam.firstMoment/fc.weight"
        var wrongShape = tensors, wrongType = tensors, strayParameter = tensors, unlisted = tensors
        wrongShape[first] = StoredTensor(Tensor(zeros: [2, 3]))
        wrongType[first] = StoredTensor(shape: [3, 2], elements: .float64([Double](repeating: 0, count: 6)))
        strayParameter["optimizer/sgd.momentum/fc2.weight"] = StoredTensor(Tensor(zeros: [3, 2]))
        unlisted["optimizer/sgd.momentum/fc.bias"] = StoredTensor(Tensor(zeros: [3]))
        let cases: [(tensors: [String: StoredTensor], names: [String], message: String)] = [
            (tensors.filter { $0.key != first }, names, "tensor \"\(first)\": missing: the checkpoint lists it"),
            (unlisted, names, "tensor \"optimizer/sgd.momentum/fc.bias\": an optimizer state the checkpoint does not list"),
            (wrongShape, names, "tensor \"\(first)\": shape [2, 3], the parameter has [3, 2]"),
            (wrongType, names, "tensor \"\(first)\": F64 elements, not F32"),
            (strayParameter, names + ["optimizer/sgd.momentum/fc2.weight"],
             "tensor \"optimizer/sgd.momentum/fc2.weight\": the network has no parameter fc2.weight"),
            (tensors, names + ["momentum"], "tensor \"momentum\": not named optimizer/<slot>/<parameter>"),
        ]
        for (tensors, names, message) in cases {
            let target = parameters()
            target[1].optimizerState = [SGD.momentumSlot: Tensor(zeros: [3])]
            let before = target.map(\.optimizerState)
            XCTAssertThrowsError(try OptimizerStateTensors.restore(tensors, names: names, into: target, path: path)) { error in
                XCTAssertEqual("\(error)", "\(path): \(message)")
            }
            XCTAssertEqual(target.map(\.optimizerState), before, message)
        }
    }
}
