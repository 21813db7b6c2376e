import Foundation
import NeuralNetwork
import Serialization
import TensorCore

/// Saving a ``GrowingNetwork`` to one safetensors file and loading it back.
///
/// The file holds every bias and connection weight as `F32` under its parameter's name (placeholder channels and
/// absent entries included: a placeholder's probe weights are not zero) and each architecture mask as a `BOOL`
/// tensor of the same shape named `<parameter>.mask`. Its `__metadata__` entry `growingNetwork` holds the
/// structure as versioned JSON: input shape, head reduction, growth limits, the nodes in order (id, kind, kernel
/// size, stage, channel count, placeholder channels, output flag, bias name), the edges in order (id, source,
/// target, active flag, weight name, convolution algorithm), the next identifier, the name and the state of the
/// probe-weight generator.
///
/// What loading restores exactly: the forward pass, bit for bit (node and edge order fix the summation order, and
/// every connection keeps the convolution algorithm it was created with, which its grown shape might no longer
/// choose), and growth: the same expansion of the loaded network draws the same probe weights and makes the same
/// network as it would have made of the saved one. Not saved: gradients, optimizer state (momentum starts afresh
/// when training continues from this file; a ``SearchCheckpoint`` adds it), and the would-be weights of structural
/// candidates, which exist only while an expansion scores them.
extension GrowingNetwork {
    /// The version of the structure JSON that ``write(toFile:)`` writes and ``init(contentsOfFile:)`` reads.
    public static var fileFormatVersion: Int { GrowingNetworkStructure.formatVersion }

    /// Writes the network to the safetensors file at `path`, atomically (`SafetensorsFile.write(toFile:)`).
    /// - Throws: `SafetensorsError` naming `path` when the file cannot be written; `GrowingNetworkFileError`
    ///   when the structure cannot be stored as JSON (a growth limit that is not a finite number).
    public func write(toFile path: String) throws {
        try safetensorsContents(for: path).write(toFile: path)
    }

    /// Loads the network that ``write(toFile:)`` wrote to `path`, after checking that the structure is consistent
    /// and that every tensor it names is there with its type and shape, and no other.
    /// - Throws: `SafetensorsError` when the file cannot be read or is not valid safetensors;
    ///   `GrowingNetworkFileError` when it does not hold a growing network of this format version. Every message
    ///   names `path` and what is wrong.
    public convenience init(contentsOfFile path: String) throws {
        try self.init(safetensors: SafetensorsFile(contentsOfFile: path), path: path)
    }

    /// The tensors and the metadata entry of the network's file, for a file that holds the network with other
    /// things (a checkpoint adds tensors and metadata entries of its own); errors name `path`, the file they are for.
    /// - Throws: `GrowingNetworkFileError` when the structure cannot be stored as JSON.
    public func safetensorsContents(for path: String) throws -> SafetensorsFile {
        let structure: String
        do {
            structure = try GrowingNetworkStructure(self).json()
        } catch {
            throw GrowingNetworkFileError.invalidStructure(path: path, reason: "cannot be written as JSON: \(error)")
        }
        var tensors: [String: StoredTensor] = [:]
        for parameter in parameters {
            tensors[parameter.name] = StoredTensor(parameter.value)
            tensors[GrowingNetworkStructure.maskName(of: parameter.name)] =
                StoredTensor(shape: parameter.shape, elements: .bool(parameter.mask.flags.map { $0 != 0 }))
        }
        return SafetensorsFile(tensors: tensors, metadata: [GrowingNetworkStructure.metadataKey: structure])
    }

    /// The network of `file`, the contents of the file at `path` as ``safetensorsContents(for:)`` made them: the
    /// structure in its metadata entry, and exactly the tensors it names (other metadata entries are ignored).
    /// - Throws: `GrowingNetworkFileError` naming `path` when `file` does not hold a growing network of this format
    ///   version.
    public convenience init(safetensors file: SafetensorsFile, path: String) throws {
        let structure = try GrowingNetworkStructure(metadata: file.metadata, path: path)
        let tensors = StoredParameters(file: file, path: path)
        try Self.checkIdentifiers(of: structure, path: path)
        let nodes = try structure.nodes.enumerated().map { index, record throws in
            try Self.node(record, isFirst: index == 0, isLast: index == structure.nodes.count - 1, inputShape: structure.inputShape,
                          tensors: tensors, path: path)
        }
        self.init(name: structure.name, inputShape: structure.inputShape, headReduction: structure.headReduction,
                  limits: structure.limits, generator: try structure.generator(path: path), nodes: nodes,
                  nextIdentifier: structure.nextIdentifier)
        for record in structure.edges {
            edges.append(try edge(record, tensors: tensors, path: path))
        }
        if let unnamed = tensors.unused.first {
            throw GrowingNetworkFileError.invalidTensor(path: path, name: unnamed, reason: "the structure names no such tensor")
        }
    }

    /// Checks that the input shape is one a network accepts and that the identifiers are unique, below
    /// `nextIdentifier`, and that every edge joins two listed nodes, at most one edge per pair.
    private static func checkIdentifiers(of structure: GrowingNetworkStructure, path: String) throws(GrowingNetworkFileError) {
        func invalid(_ reason: String) -> GrowingNetworkFileError { .invalidStructure(path: path, reason: reason) }
        guard isValidInputShape(structure.inputShape) else {
            throw invalid("inputShape \(structure.inputShape) is not [C, H, W] or [F] with positive sizes and at most \(maximumInputSize) values")
        }
        var identifiers = Set<Int>()
        for id in structure.nodes.map(\.id) + structure.edges.map(\.id) {
            guard (0..<structure.nextIdentifier).contains(id) else {
                throw invalid("identifier \(id) is not in 0..<nextIdentifier (\(structure.nextIdentifier))")
            }
            guard identifiers.insert(id).inserted else { throw invalid("identifier \(id) is used twice") }
        }
        let nodeIDs = Set(structure.nodes.map(\.id))
        var pairs = Set<ConnectionKey>()
        for edge in structure.edges {
            guard nodeIDs.contains(edge.source), nodeIDs.contains(edge.target) else {
                throw invalid("edge \(edge.id) joins \(edge.source)->\(edge.target), which are not both nodes")
            }
            guard pairs.insert(ConnectionKey(source: edge.source, target: edge.target)).inserted else {
                throw invalid("edge \(edge.id): a second connection \(edge.source)->\(edge.target)")
            }
        }
    }

    /// The node `record` describes, with its bias from `tensors`; `isFirst` and `isLast` give its place in the order.
    private static func node(
        _ record: GrowingNetworkStructure.Node, isFirst: Bool, isLast: Bool, inputShape: [Int], tensors: StoredParameters, path: String
    ) throws -> GrowingNode {
        func invalid(_ reason: String) -> GrowingNetworkFileError { .invalidStructure(path: path, reason: "node \(record.id): \(reason)") }
        guard (record.kind == .input) == isFirst else { throw invalid("the input node must come first, and only it") }
        guard !record.isOutput || (isLast && record.kind == .linear) else { throw invalid("only the last node, a linear one, can be the output") }
        let kind: GrowingNode.Kind
        switch record.kind {
        case .input:
            guard record.channels == inputShape[0], record.placeholderChannels.isEmpty, !record.isOutput, record.bias == nil else {
                throw invalid("the input node needs the input's \(inputShape[0]) channels, no placeholders, no bias and no output flag")
            }
            return GrowingNode(id: record.id, kind: .input, stage: 0, isOutput: false,
                               isPlaceholder: [Bool](repeating: false, count: record.channels), bias: nil)
        case .convolution:
            guard let size = record.kernelSize, size > 0, size % 2 == 1 else { throw invalid("a convolution needs an odd, positive kernelSize") }
            guard inputShape.count == 3, record.stage >= 0, inputShape[1] >> record.stage > 0, inputShape[2] >> record.stage > 0 else {
                throw invalid("stage \(record.stage) is not a convolution stage of input \(inputShape)")
            }
            kind = .convolution(kernelSize: size)
        case .linear:
            guard record.kernelSize == nil, record.stage == -1 else { throw invalid("a linear node has stage -1 and no kernelSize") }
            kind = .linear
        }
        guard let biasName = record.bias else { throw invalid("a node other than the input needs a bias") }
        guard record.channels > 0 else { throw invalid("\(record.channels) channels") }
        let bias = try tensors.parameter(biasName, role: .bias, shape: [record.channels])   // the channel count is real data
        guard record.placeholderChannels.allSatisfy((0..<record.channels).contains),
              Set(record.placeholderChannels).count == record.placeholderChannels.count else {
            throw invalid("placeholderChannels \(record.placeholderChannels) are not distinct channels of \(record.channels)")
        }
        var isPlaceholder = [Bool](repeating: false, count: record.channels)
        for channel in record.placeholderChannels { isPlaceholder[channel] = true }
        return GrowingNode(id: record.id, kind: kind, stage: record.stage, isOutput: record.isOutput, isPlaceholder: isPlaceholder, bias: bias)
    }

    /// The edge `record` describes, with its weight from `tensors`; the network's nodes are in place.
    private func edge(_ record: GrowingNetworkStructure.Edge, tensors: StoredParameters, path: String) throws -> GrowingEdge {
        func invalid(_ reason: String) -> GrowingNetworkFileError { .invalidStructure(path: path, reason: "edge \(record.id): \(reason)") }
        guard let source = node(record.source), let target = node(record.target), allowsConnection(from: source, to: target) else {
            throw invalid("the template allows no connection \(record.source)->\(record.target)")
        }
        let weight = try tensors.parameter(record.weight, role: .weight, shape: weightShape(from: source, to: target))
        guard (weight.activeCount > 0) == record.isActive else {
            throw invalid("isActive is \(record.isActive), but the mask of \(record.weight) has \(weight.activeCount) present entries")
        }
        guard target.isConvolution else {
            guard record.convolutionAlgorithm == nil else { throw invalid("a connection into a linear node has no convolutionAlgorithm") }
            return GrowingEdge(id: record.id, source: record.source, target: record.target, weight: weight)
        }
        guard let algorithm = record.convolutionAlgorithm, algorithm != .automatic,
              (try? algorithm.resolved(for: GrowingEdge.convolutionGeometry(of: weight))) != nil else {
            throw invalid("convolutionAlgorithm \(record.convolutionAlgorithm.map(\.rawValue) ?? "(none)") cannot compute "
                + "\(weight.shape); a connection into a convolution needs one of "
                + ConvolutionAlgorithm.allCases.filter { $0 != .automatic }.map(\.rawValue).joined(separator: ", "))
        }
        return GrowingEdge(id: record.id, source: record.source, target: record.target, weight: weight, convolutionAlgorithm: algorithm)
    }
}

/// The tensors of a growing network's file, handed out as parameters once each, with their masks.
private final class StoredParameters {
    private let file: SafetensorsFile
    private let path: String
    private var used = Set<String>()

    init(file: SafetensorsFile, path: String) {
        self.file = file
        self.path = path
    }

    /// The names of the tensors not handed out, sorted.
    var unused: [String] { file.tensors.keys.filter { !used.contains($0) }.sorted() }

    /// The parameter `name`: its `F32` values and its `BOOL` mask, both of `shape`. Values are taken as stored,
    /// absent entries included (probe weights of placeholders are not zero).
    func parameter(_ name: String, role: Parameter.Role, shape: [Int]) throws(GrowingNetworkFileError) -> Parameter {
        let maskName = GrowingNetworkStructure.maskName(of: name)
        let values = try elements(name, shape: shape), mask = try elements(maskName, shape: shape)
        guard case let .float32(scalars) = values else { throw wrongType(name, values, needed: .float32) }
        guard case let .bool(flags) = mask else { throw wrongType(maskName, mask, needed: .bool) }
        let parameter = Parameter(name: name, role: role, value: Tensor(shape: shape, scalars: scalars))
        parameter.mask = ArchitectureMask(shape: shape, flags: flags)
        return parameter
    }

    /// The elements of tensor `name`, which must exist with `shape` and be named once.
    private func elements(_ name: String, shape: [Int]) throws(GrowingNetworkFileError) -> TensorElements {
        func invalid(_ reason: String) -> GrowingNetworkFileError { .invalidTensor(path: path, name: name, reason: reason) }
        guard let stored = file.tensors[name] else { throw invalid("missing: the structure names it") }
        guard used.insert(name).inserted else { throw invalid("named twice by the structure") }
        guard stored.shape == shape else { throw invalid("shape \(stored.shape), the structure needs \(shape)") }
        return stored.elements
    }

    private func wrongType(_ name: String, _ elements: TensorElements, needed: ElementType) -> GrowingNetworkFileError {
        .invalidTensor(path: path, name: name, reason: "\(elements.elementType.rawValue) elements, the structure needs \(needed.rawValue)")
    }
}
