import NeuralNetwork

/// Moving a grown network to another task (Section 5.2).
extension GrowingNetwork {
    /// Replaces the output node by one with `classes` channels, fed by the same nodes through new connections with
    /// PyTorch's default initialisation (every weight present), for a task with other classes. Every other node,
    /// connection, weight and mask is kept, so the features the network learnt carry over; only the classifier is new.
    /// - Throws: `NetworkError.invalidConfiguration` when there is no output node or `classes` is below 2.
    public func replaceOutput(classes: Int) throws {
        guard let output = outputNode else {
            throw NetworkError.invalidConfiguration(layer: name, reason: "the network has no output node to replace")
        }
        guard classes >= 2 else {
            throw NetworkError.invalidConfiguration(layer: name, reason: "a classifier needs at least 2 classes, got \(classes)")
        }
        let sources = incomingEdges(of: output.id).filter(\.isActive).map(\.source)
        edges.removeAll { $0.target == output.id }
        nodes.removeLast()
        let replacement = try appendNode(kind: .linear, stage: -1, channels: classes, isOutput: true)
        for source in sources { try connect(from: source, to: replacement) }
    }
}
