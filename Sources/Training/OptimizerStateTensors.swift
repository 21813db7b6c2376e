import NeuralNetwork
import Serialization
import TensorCore

/// The optimizer buffers of a model's parameters (`Parameter.optimizerState`: momentum, moment estimates) as
/// safetensors tensors, and back. Buffer `slot` of parameter `name` is the `F32` tensor `optimizer/<slot>/<name>`,
/// shaped like the parameter.
///
/// A parameter without a buffer (no step taken yet) has no tensor, so the names present are part of the state: the
/// reader is given the names of the tensors the writer made and insists on exactly those tensors.
public enum OptimizerStateTensors {
    /// What every optimizer-state tensor's name starts with.
    public static let namePrefix = "optimizer/"

    /// The name of buffer `slot` of parameter `parameter`.
    public static func name(slot: String, parameter: String) -> String {
        "\(namePrefix)\(slot)/\(parameter)"
    }

    /// Every buffer of `parameters` (each parameter once), keyed by its name.
    public static func tensors(of parameters: [Parameter]) -> [String: StoredTensor] {
        var tensors: [String: StoredTensor] = [:]
        for parameter in parameters {
            for (slot, buffer) in parameter.optimizerState {
                tensors[name(slot: slot, parameter: parameter.name)] = StoredTensor(buffer)
            }
        }
        return tensors
    }

    /// Replaces the buffers of `parameters` with the optimizer-state tensors of `tensors` (those whose names start
    /// with ``namePrefix``), which must be exactly those `names` lists, each `F32`, for one of `parameters`, with its
    /// shape. Nothing is changed when an error is thrown.
    /// - Throws: ``CheckpointError/invalidTensor(path:name:reason:)`` naming `path` and the tensor.
    public static func restore(_ tensors: [String: StoredTensor], names: [String], into parameters: [Parameter],
                               path: String) throws(CheckpointError) {
        func invalid(_ name: String, _ reason: String) -> CheckpointError { .invalidTensor(path: path, name: name, reason: reason) }
        let listed = Set(names)
        if let unlisted = tensors.keys.filter({ $0.hasPrefix(namePrefix) && !listed.contains($0) }).sorted().first {
            throw invalid(unlisted, "an optimizer state the checkpoint does not list")
        }
        let byName = Dictionary(parameters.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var buffers: [(parameter: Parameter, slot: String, value: Tensor)] = []
        for name in names.sorted() {
            let parts = name.hasPrefix(namePrefix) ? name.dropFirst(namePrefix.count).split(separator: "/", maxSplits: 1) : []
            guard parts.count == 2 else { throw invalid(name, "not named \(namePrefix)<slot>/<parameter>") }
            guard let stored = tensors[name] else { throw invalid(name, "missing: the checkpoint lists it") }
            guard let parameter = byName[String(parts[1])] else { throw invalid(name, "the network has no parameter \(parts[1])") }
            guard stored.shape == parameter.shape else { throw invalid(name, "shape \(stored.shape), the parameter has \(parameter.shape)") }
            guard let value = stored.tensor else { throw invalid(name, "\(stored.elements.elementType.rawValue) elements, not F32") }
            buffers.append((parameter, String(parts[0]), value))
        }
        for parameter in parameters { parameter.optimizerState = [:] }
        for buffer in buffers { buffer.parameter.optimizerState[buffer.slot] = buffer.value }
    }
}
