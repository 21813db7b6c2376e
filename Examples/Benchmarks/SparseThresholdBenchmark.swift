import TensorCore

/// `--sparse-threshold`: the weight density below which the sparse (CSR) kernel beats GEMM, measured on the
/// convolution and linear shapes of searched MNIST networks (`ModelExport.WeightLayout.measuredSparseThreshold`
/// holds the figure it printed).
///
/// Each shape runs its dense product as `CompactInference` does (`Convolution2D` with its default algorithm,
/// Winograd for 3x3 kernels, or `Matmul`: `Gemm.parallelMultiply`) and the sparse one
/// alternately at falling densities, zeros placed as a kernel-granularity search places them (whole `k x k`
/// kernels, or single weights of a linear layer). The crossover of a shape is the density at which the sparse
/// kernel's time equals GEMM's, interpolated between the measured densities.
enum SparseThresholdBenchmark {
    /// The batch `ilnas evaluate` runs.
    static let batch = 500
    static let densities: [Double] = [1, 0.8, 0.6, 0.5, 0.4, 0.3, 0.25, 0.2, 0.15, 0.1, 0.05]
    static let policy = RunPolicy(warmupRuns: 1, minimumRuns: 5, maximumRuns: 15, budgetSeconds: 0.3)

    /// One layer shape: a 3x3 convolution on `size x size` maps, or a linear layer (`size` 0).
    struct Shape {
        let name: String
        let outputs: Int, inputs: Int, kernelSize: Int, size: Int
    }

    /// The shapes of the 20k and 100k MNIST searches' compacted layers (stage 0 at 28x28, 1 at 14x14, 2 at 7x7).
    static let shapes = [
        Shape(name: "conv 23x1x3x3 @28", outputs: 23, inputs: 1, kernelSize: 3, size: 28),
        Shape(name: "conv 15x23x3x3 @14", outputs: 15, inputs: 23, kernelSize: 3, size: 14),
        Shape(name: "conv 43x29x3x3 @14", outputs: 43, inputs: 29, kernelSize: 3, size: 14),
        Shape(name: "conv 44x15x3x3 @7", outputs: 44, inputs: 15, kernelSize: 3, size: 7),
        Shape(name: "conv 139x43x3x3 @7", outputs: 139, inputs: 43, kernelSize: 3, size: 7),
        Shape(name: "conv 57x139x3x3 @7", outputs: 57, inputs: 139, kernelSize: 3, size: 7),
        Shape(name: "linear 151x57", outputs: 151, inputs: 57, kernelSize: 1, size: 0),
    ]

    /// Sparse time over dense time of every shape at every density with the current thread count, and each
    /// shape's crossover density (0 when the sparse kernel never wins).
    static func run() throws -> (rows: [(shape: String, ratios: [Double], crossover: Double)], threshold: Double) {
        var generator = RandomGenerator(seed: 3)
        var rows: [(shape: String, ratios: [Double], crossover: Double)] = []
        for shape in shapes {
            let isConvolution = shape.size > 0
            let inputShape = isConvolution ? [batch, shape.inputs, shape.size, shape.size] : [batch, shape.inputs]
            let input = Tensor(shape: inputShape) { _ in generator.normal() }
            let area = shape.kernelSize * shape.kernelSize
            let geometry = ConvolutionGeometry(inputChannels: shape.inputs, outputChannels: shape.outputs,
                                               kernelSize: shape.kernelSize, padding: shape.kernelSize / 2)
            let full = Tensor(shape: isConvolution ? [shape.outputs, shape.inputs, shape.kernelSize, shape.kernelSize] : [shape.outputs, shape.inputs]) { _ in
                generator.normal()
            }
            let keys = (0..<(full.count / area)).map { _ in generator.nextUnitDouble() }
            var ratios: [Double] = []
            for density in densities {
                // Kernel k is kept when its key is below the density, so lower densities keep subsets.
                let weight = Tensor(shape: full.shape) { index in keys[index / area] < density ? full[flat: index] : 0 }
                let sparse = try SparseMatrix(weight)
                let dense: () throws -> Float
                let sparseRun: () throws -> Float
                if isConvolution {
                    dense = { try Convolution2D.forward(input: input, weight: weight, bias: nil, geometry: geometry)[flat: 0] }
                    sparseRun = { try Convolution2D.forward(input: input, weight: sparse, bias: nil, geometry: geometry)[flat: 0] }
                } else {
                    dense = { try Matmul.forward(input, weight, transposeB: true)[flat: 0] }
                    sparseRun = { try sparse.linearForward(input, bias: nil)[flat: 0] }
                }
                let (denseTiming, sparseTiming) = try measureAlternately(policy, dense, sparseRun)
                ratios.append(sparseTiming.medianSeconds / denseTiming.medianSeconds)
            }
            rows.append((shape.name, ratios, crossover(ratios)))
        }
        return (rows, Statistics.median(rows.map(\.crossover)))
    }

    /// The density at which the sparse/dense time ratio crosses 1, going down the densities: interpolated between
    /// the last density where dense wins and the first where sparse does; 0 when sparse never wins, 1 when it
    /// always does.
    static func crossover(_ ratios: [Double]) -> Double {
        guard let first = ratios.firstIndex(where: { $0 < 1 }) else { return 0 }
        if first == 0 { return densities[0] }
        let (d0, r0) = (densities[first - 1], ratios[first - 1]), (d1, r1) = (densities[first], ratios[first])
        return d1 + (d0 - d1) * (1 - r1) / (r0 - r1)
    }

    /// The table of one thread count.
    static func table(_ rows: [(shape: String, ratios: [Double], crossover: Double)]) -> String {
        var lines = ["| shape | " + densities.map { format($0, 2) }.joined(separator: " | ") + " | crossover |",
                     "|---|" + String(repeating: "---|", count: densities.count + 1)]
        for row in rows {
            lines.append("| \(row.shape) | " + row.ratios.map { format($0, 2) }.joined(separator: " | ") + " | \(format(row.crossover, 3)) |")
        }
        return lines.joined(separator: "\n")
    }
}
