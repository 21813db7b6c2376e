import TensorCore

extension CompactNetwork {
    /// The logits `[N, classes]` for a batch `[N] + inputShape` of normalised inputs (the masked network's inputs).
    /// - Throws: ``ModelExportError/inputShapeMismatch(expected:actual:)`` for a batch of another shape.
    public func forward(_ input: Tensor) throws -> Tensor {
        guard input.rank == inputShape.count + 1, Array(input.shape.dropFirst()) == inputShape else {
            throw ModelExportError.inputShapeMismatch(expected: [input.shape.first ?? 1] + inputShape, actual: input.shape)
        }
        let batch = input.shape[0]
        var outputs: [Int: Tensor] = [nodes[0].id: input]
        var reduced: [ReducedKey: Tensor] = [:]
        for node in nodes.dropFirst() {
            var sum: Tensor?
            for edge in incomingEdges(of: node.id) {
                let key = ReducedKey(source: edge.source, reduction: edge.reduction)
                if reduced[key] == nil, let output = outputs[edge.source] {
                    reduced[key] = try Self.reduce(output, edge.reduction)
                }
                guard let x = reduced[key] else { continue }
                let contribution = try apply(edge, to: x, into: node, addingBias: sum == nil)
                if sum == nil { sum = contribution } else { try sum!.add(contribution) }
            }
            let preActivation = sum ?? constant(node, batch: batch)
            outputs[node.id] = node.isOutput ? preActivation : RectifiedLinear.forward(preActivation)
        }
        return outputs[outputNode.id] ?? Tensor(zeros: [batch, classCount])
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

    /// `W · x` for one connection, plus the target's bias when asked.
    private func apply(_ edge: CompactEdge, to x: Tensor, into node: CompactNode, addingBias: Bool) throws -> Tensor {
        let bias = addingBias ? node.bias : nil
        if let kernelSize = node.kernelSize {
            let geometry = ConvolutionGeometry(inputChannels: edge.weight.shape[1], outputChannels: edge.weight.shape[0],
                                               kernelSize: kernelSize, padding: kernelSize / 2)
            return try Convolution2D.forward(input: x, weight: edge.weight, bias: bias, geometry: geometry, algorithm: .im2col)
        }
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
        let shape = [batch] + sampleShape(of: node)
        let plane = shape.dropFirst(2).reduce(1, *)
        return Tensor(shape: shape) { index in node.bias?[flat: (index / plane) % node.channelCount] ?? 0 }
    }
}
