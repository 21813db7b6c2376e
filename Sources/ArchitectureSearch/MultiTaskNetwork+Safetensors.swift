import Foundation
import NeuralNetwork
import Serialization
import TensorCore

/// Saving a ``MultiTaskNetwork`` that a ``MultiTaskTrunk`` built, and loading it back.
///
/// The file holds every trunk parameter as `F32` under its name, with the stored values of the union view (zero where
/// nobody owns an entry), and its owners as a `U8` tensor of the same shape named `<parameter>.owner`: 0 nobody, 1 the
/// shared part, `2 + t` task `t`. Every head parameter is stored as `F32` under its name. The `__metadata__` entry
/// `multiTaskNetwork` holds versioned JSON: the trunk family, the input shape and each task's class count.
///
/// Loading rebuilds the trunk and heads from that description and puts the stored values and owners back, so each
/// task's forward pass (`f(x, (α_s ∪ α_t) ⊙ W)` and its head) is the saved network's, bit for bit. Not saved:
/// gradients and optimizer state.
extension MultiTaskNetwork {
    /// The version of the description that ``write(toFile:)`` writes and ``load(contentsOfFile:)`` reads.
    public static let fileFormatVersion = 1

    /// Writes the network to the safetensors file at `path`, atomically.
    /// - Throws: ``SearchError/invalidSetting(_:)`` when no ``MultiTaskTrunk`` built the network (``family`` is `nil`)
    ///   or two of its tensors would have the same name; `SafetensorsError` naming `path` when the file cannot be
    ///   written.
    public func write(toFile path: String) throws {
        guard let family else {
            throw SearchError.invalidSetting("only a network that MultiTaskTrunk built can be saved: its file describes the trunk by family")
        }
        installUnion()
        let features = try trunk.outputShape(forInput: [1] + inputShape)
        let description = MultiTaskNetworkDescription(formatVersion: Self.fileFormatVersion, trunk: family, inputShape: inputShape,
                                                      classCounts: try heads.map { try $0.outputShape(forInput: features)[1] })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var tensors: [String: StoredTensor] = [:]
        func store(_ name: String, _ tensor: StoredTensor) throws {
            guard tensors.updateValue(tensor, forKey: name) == nil else {
                throw SearchError.invalidSetting("two tensors of the multi-task network would be stored as \(name.debugDescription)")
            }
        }
        for (parameter, owners) in zip(trunkParameters, ownerCodes) {
            try store(parameter.name, StoredTensor(parameter.value))
            try store(Self.ownerName(of: parameter.name), StoredTensor(shape: parameter.shape, elements: .uint8(owners.map { UInt8($0 + 1) })))
        }
        for parameter in heads.flatMap(\.parameters) { try store(parameter.name, StoredTensor(parameter.value)) }
        let metadata = [Self.metadataKey: String(decoding: try encoder.encode(description), as: UTF8.self)]
        try SafetensorsFile(tensors: tensors, metadata: metadata).write(toFile: path)
    }

    /// Loads the network that ``write(toFile:)`` wrote to `path`, after checking that the description's sizes are
    /// valid and need no more parameters than the file stores values (before anything is built from them), and that the file
    /// holds exactly the tensors that network has, with their types and shapes, owner codes of nobody, the shared
    /// part or one of its tasks, and zero values where nobody owns an entry.
    /// - Throws: `SafetensorsError` when the file cannot be read or is not valid safetensors;
    ///   ``MultiTaskNetworkFileError`` naming `path` when it does not hold such a network.
    public static func load(contentsOfFile path: String) throws -> MultiTaskNetwork {
        let file = try SafetensorsFile(contentsOfFile: path)
        guard let json = file.metadata[metadataKey] else {
            throw MultiTaskNetworkFileError.invalidDescription(path: path, reason: "its metadata has no \(metadataKey.debugDescription) entry")
        }
        let description: MultiTaskNetworkDescription
        do {
            description = try JSONDecoder().decode(MultiTaskNetworkDescription.self, from: Data(json.utf8))
        } catch {
            throw MultiTaskNetworkFileError.invalidDescription(path: path, reason: "the description is not valid: \(error)")
        }
        guard description.formatVersion == fileFormatVersion else {
            throw MultiTaskNetworkFileError.invalidDescription(
                path: path, reason: "format version \(description.formatVersion), but this build reads version \(fileFormatVersion) only")
        }
        guard GrowingNetwork.isValidInputShape(description.inputShape) else {
            throw MultiTaskNetworkFileError.invalidDescription(path: path, reason: "inputShape \(description.inputShape) is not [C, H, W] "
                + "or [F] with positive sizes and at most \(GrowingNetwork.maximumInputSize) values")
        }
        // What the network needs is bounded by what the file holds, so a description cannot make it allocate more.
        let storedValues = file.tensors.values.reduce(0) { $0 + $1.elements.count }
        guard let needed = description.trunk.parameterCount(inputShape: description.inputShape, classCounts: description.classCounts),
              needed <= storedValues else {
            throw MultiTaskNetworkFileError.invalidDescription(path: path, reason: "its trunk \(description.trunk) with classes "
                + "\(description.classCounts) needs more parameters than the \(storedValues) values the file stores")
        }
        let network: MultiTaskNetwork
        do {
            network = try description.trunk.makeNetwork(inputShape: description.inputShape, classCounts: description.classCounts,
                                                        startingCounts: [:], seed: 0)
        } catch {
            throw MultiTaskNetworkFileError.invalidDescription(path: path, reason: "\(error)")
        }
        var unused = Set(file.tensors.keys)
        func stored(_ name: String, shape: [Int]) throws -> StoredTensor {
            guard let tensor = file.tensors[name] else {
                throw MultiTaskNetworkFileError.invalidTensor(path: path, name: name, reason: "missing")
            }
            guard tensor.shape == shape else {
                throw MultiTaskNetworkFileError.invalidTensor(path: path, name: name, reason: "shape \(tensor.shape), the network needs \(shape)")
            }
            unused.remove(name)
            return tensor
        }
        func values(_ name: String, shape: [Int]) throws -> Tensor {
            guard let tensor = try stored(name, shape: shape).tensor else {
                throw MultiTaskNetworkFileError.invalidTensor(path: path, name: name, reason: "type \(file.tensors[name]!.elements.elementType.rawValue), not F32")
            }
            return tensor
        }
        var codes: [[Int8]] = [], trunkValues: [Tensor] = []
        for parameter in network.trunkParameters {
            let name = ownerName(of: parameter.name)
            guard case let .uint8(bytes) = try stored(name, shape: parameter.shape).elements else {
                throw MultiTaskNetworkFileError.invalidTensor(path: path, name: name, reason: "type \(file.tensors[name]!.elements.elementType.rawValue), not U8")
            }
            if let bad = bytes.first(where: { Int($0) > network.taskCount + 1 }) {
                throw MultiTaskNetworkFileError.invalidTensor(path: path, name: name, reason: "owner code \(bad), but the network has "
                    + "\(network.taskCount) tasks (codes 0...\(network.taskCount + 1))")
            }
            let value = try values(parameter.name, shape: parameter.shape)
            if let entry = bytes.indices.first(where: { bytes[$0] == 0 && value[flat: $0] != 0 }) {
                throw MultiTaskNetworkFileError.invalidTensor(path: path, name: parameter.name,
                                                              reason: "entry \(entry) is \(value[flat: entry]) but nobody owns it")
            }
            codes.append(bytes.map { Int8($0) - 1 })
            trunkValues.append(value)
        }
        for parameter in network.heads.flatMap(\.parameters) {
            parameter.value = try values(parameter.name, shape: parameter.shape)
        }
        if let extra = unused.sorted().first {
            throw MultiTaskNetworkFileError.invalidTensor(path: path, name: extra, reason: "the network has no such tensor")
        }
        network.replaceOwnership(codes, values: trunkValues)
        return network
    }

    /// The metadata entry that holds the description.
    static let metadataKey = "multiTaskNetwork"

    /// The name of the owner tensor of the trunk parameter `name`.
    static func ownerName(of name: String) -> String { name + ".owner" }
}

/// What the metadata of a multi-task network's file describes: enough to rebuild its layers.
struct MultiTaskNetworkDescription: Codable, Equatable {
    var formatVersion: Int
    var trunk: MultiTaskTrunk
    var inputShape: [Int]
    var classCounts: [Int]
}
