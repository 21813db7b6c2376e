import TensorCore

/// A ``CompactNetwork`` prepared for inference: each connection's weight is kept dense (GEMM) or stored as a sparse
/// matrix (CSR), whichever its density makes faster (``WeightLayout``).
///
/// Its ``logits(_:)`` equal the masked network's on the same normalised inputs, up to the rounding of sums taken
/// over fewer terms or in another order.
public struct CompactInference: Sendable {
    /// The network it runs.
    public let network: CompactNetwork
    /// The layout of each connection's weight, in the order of `network.edges`.
    public let layouts: [WeightLayout]
    /// The sparse form of each connection stored sparse, `nil` for the dense ones.
    private let sparseWeights: [SparseMatrix?]
    /// How dense convolutions run.
    private let convolutionAlgorithm: ConvolutionAlgorithm

    /// Prepares `network`, storing sparse every weight whose density (fraction of non-zeros) is below `threshold`:
    /// 0 keeps every weight dense, 1 stores sparse every weight with at least one zero. Dense convolutions run with
    /// `convolutionAlgorithm`: by default as the growing network's (``ConvolutionAlgorithm/automatic``), `.im2col` for the
    /// sums closest to exact.
    /// - Throws: ``ModelExportError/invalidNetwork(_:)`` for a threshold outside `0...1`.
    public init(_ network: CompactNetwork, sparseBelowDensity threshold: Double = WeightLayout.measuredSparseThreshold,
                convolutionAlgorithm: ConvolutionAlgorithm = .automatic) throws {
        guard (0...1).contains(threshold) else {
            throw ModelExportError.invalidNetwork("the density below which weights are stored sparse must be in 0...1, got \(threshold)")
        }
        self.network = network
        self.convolutionAlgorithm = convolutionAlgorithm
        layouts = network.edges.map { WeightLayout.chosen(density: SparseMatrix.density(of: $0.weight), sparseBelow: threshold) }
        sparseWeights = try zip(network.edges, layouts).map { edge, layout in
            layout == .sparse ? try SparseMatrix(edge.weight) : nil
        }
    }

    /// The logits `[N, classes]` for a batch `[N] + inputShape` of normalised inputs (the masked network's inputs).
    /// - Throws: ``ModelExportError/inputShapeMismatch(expected:actual:)`` for a batch of another shape.
    public func logits(_ input: Tensor) throws -> Tensor {
        let inputShape = network.inputShape
        guard input.rank == inputShape.count + 1, Array(input.shape.dropFirst()) == inputShape else {
            throw ModelExportError.inputShapeMismatch(expected: [input.shape.first ?? 1] + inputShape, actual: input.shape)
        }
        let batch = input.shape[0]
        var outputs: [Int: Tensor] = [network.nodes[0].id: input]
        var reduced: [ReducedKey: Tensor] = [:]
        for node in network.nodes.dropFirst() {
            var sum: Tensor?
            for index in network.edges.indices where network.edges[index].target == node.id {
                let edge = network.edges[index]
                let key = ReducedKey(source: edge.source, reduction: edge.reduction)
                if reduced[key] == nil, let output = outputs[edge.source] {
                    reduced[key] = try Self.reduce(output, edge.reduction)
                }
                guard let x = reduced[key] else { continue }
                let contribution = try apply(edge: index, to: x, into: node, addingBias: sum == nil)
                if sum == nil { sum = contribution } else { try sum!.add(contribution) }
            }
            let preActivation = sum ?? constant(node, batch: batch)
            outputs[node.id] = node.isOutput ? preActivation : RectifiedLinear.forward(preActivation)
        }
        return outputs[network.outputNode.id] ?? Tensor(zeros: [batch, network.classCount])
    }

    private struct ReducedKey: Hashable {
        let source: Int
        let reduction: CompactEdge.Reduction
    }

    private static func reduce(_ x: Tensor, _ reduction: CompactEdge.Reduction) throws -> Tensor {
        switch reduction {
        case .identity: return x
        case .maxPool: return try MaxPooling2D.forward(input: x, geometry: PoolingGeometry(kernelSize: 2, stride: 2)).output
        case .globalAveragePool: return try GlobalAveragePooling.forward(input: x)
        case .flatten: return try x.reshaped([x.shape[0], x.count / max(1, x.shape[0])])
        }
    }

    /// `W · x` for connection `network.edges[index]` in its layout, plus the target's bias when asked.
    private func apply(edge index: Int, to x: Tensor, into node: CompactNode, addingBias: Bool) throws -> Tensor {
        let edge = network.edges[index], sparse = sparseWeights[index]
        let bias = addingBias ? node.bias : nil
        if let kernelSize = node.kernelSize {
            let geometry = ConvolutionGeometry(inputChannels: edge.weight.shape[1], outputChannels: edge.weight.shape[0],
                                               kernelSize: kernelSize, padding: kernelSize / 2)
            if let sparse { return try Convolution2D.forward(input: x, weight: sparse, bias: bias, geometry: geometry) }
            return try Convolution2D.forward(input: x, weight: edge.weight, bias: bias, geometry: geometry, algorithm: convolutionAlgorithm)
        }
        if let sparse { return try sparse.linearForward(x, bias: bias) }
        let batch = x.shape[0], outputs = edge.weight.shape[0], inputs = edge.weight.shape[1]
        var result = Tensor(zeros: [batch, outputs])
        if let bias {
            result.withUnsafeMutableBufferPointer { y in
                for n in 0..<batch { for o in 0..<outputs { y[n * outputs + o] = bias[flat: o] } }
            }
        }
        x.withUnsafeBufferPointer { xs in
            edge.weight.withUnsafeBufferPointer { w in
                result.withUnsafeMutableBufferPointer { y in
                    Gemm.parallelMultiply(xs.baseAddress!, w.baseAddress!, transposeB: true, into: y.baseAddress!,
                                          m: batch, n: outputs, k: inputs, beta: 1)
                }
            }
        }
        return result
    }

    /// The pre-activation of a node without connections: its bias everywhere.
    private func constant(_ node: CompactNode, batch: Int) -> Tensor {
        let shape = [batch] + network.sampleShape(of: node)
        let plane = shape.dropFirst(2).reduce(1, *)
        return Tensor(shape: shape) { index in node.bias?[flat: (index / plane) % node.channelCount] ?? 0 }
    }
}
