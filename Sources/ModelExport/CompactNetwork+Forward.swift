import TensorCore

extension CompactNetwork {
    /// The logits `[N, classes]` for a batch `[N] + inputShape` of normalised inputs (the masked network's inputs),
    /// every weight dense and convolutions by im2col and GEMM, the more exact algorithm (``CompactInference`` with the
    /// threshold 0).
    /// - Throws: ``ModelExportError/inputShapeMismatch(expected:actual:)`` for a batch of another shape.
    public func forward(_ input: Tensor) throws -> Tensor {
        try CompactInference(self, sparseBelowDensity: 0, convolutionAlgorithm: .im2col).logits(input)
    }
}
