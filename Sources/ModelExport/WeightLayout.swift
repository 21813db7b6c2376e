/// How ``CompactInference`` stores the weight of one connection: as it is, for BLAS's GEMM, or as a
/// `TensorCore.SparseMatrix` (CSR) whose products cost in proportion to its non-zeros.
public enum WeightLayout: String, Sendable, Codable, CaseIterable {
    /// Every entry, zeros included, multiplied by GEMM.
    case dense
    /// Only the non-zero entries, multiplied by the sparse kernel.
    case sparse

    /// The density (fraction of non-zero entries) below which a weight is stored sparse.
    ///
    /// Measured with `swift run -c release Benchmarks --sparse-threshold --threads 1,2 --passes 1`, which times the
    /// sparse kernel against the dense product `CompactInference` runs otherwise (Winograd for 3x3 convolutions,
    /// GEMM for the rest), alternately, on the convolution and linear shapes of the searched 20k and 100k MNIST
    /// networks at falling densities (whole kernels absent), batch 500. On this project's 2-core AMD EPYC
    /// (OpenBLAS Cooperlake kernels) the sparse kernel starts to win at a median density of 0.211 with 1 thread
    /// and 0.186 with 2 (0.199 overall; per shape 0.14-0.63, the first convolution, whose 1-channel patches make
    /// both sides equal, the widest); hence 0.2. Override it per network with
    /// ``CompactInference/init(_:sparseBelowDensity:convolutionAlgorithm:)`` or `ilnas evaluate --sparse-below`.
    public static let measuredSparseThreshold = 0.2

    /// The layout of a weight with `density` non-zeros: ``sparse`` when `density < threshold`, ``dense`` otherwise.
    public static func chosen(density: Double, sparseBelow threshold: Double) -> WeightLayout {
        density < threshold ? .sparse : .dense
    }
}
