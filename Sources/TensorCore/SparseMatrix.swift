/// A matrix in compressed sparse row (CSR) form: only its non-zero entries, row by row, for products with dense
/// matrices whose cost falls with the number of non-zeros (``multiply(_:into:columns:ldb:ldc:beta:)``).
///
/// A weight `[rows, d1, d2, …]` is read as the matrix `[rows, d1 · d2 · …]`, as GEMM reads it: a convolution's
/// `[outputChannels, inputChannels, k, k]` weight becomes its `[outputChannels, patchSize]` im2col matrix.
public struct SparseMatrix: Sendable, Equatable {
    /// The number of rows.
    public let rows: Int
    /// The number of columns.
    public let columns: Int
    /// Row `r`'s entries are `rowStarts[r]..<rowStarts[r + 1]` of ``columnIndices`` and ``values``.
    public let rowStarts: [Int]
    /// The column of each stored entry, increasing within a row.
    public let columnIndices: [Int32]
    /// The value of each stored entry.
    public let values: [Float]

    /// The non-zero entries of `dense` read as a `[shape[0], count / shape[0]]` matrix (exact zeros, either sign,
    /// are left out).
    /// - Throws: ``TensorError/invalidArgument(operation:reason:)`` for a tensor of rank 0.
    public init(_ dense: Tensor) throws {
        guard let rows = dense.shape.first else {
            throw TensorError.invalidArgument(operation: "SparseMatrix", reason: "a scalar is not a matrix")
        }
        let columns = rows == 0 ? 0 : dense.count / rows
        var rowStarts = [0], columnIndices: [Int32] = [], values: [Float] = []
        rowStarts.reserveCapacity(rows + 1)
        for row in 0..<rows {
            for column in 0..<columns {
                let value = dense[flat: row * columns + column]
                if value != 0 {
                    columnIndices.append(Int32(column))
                    values.append(value)
                }
            }
            rowStarts.append(values.count)
        }
        self.rows = rows
        self.columns = columns
        self.rowStarts = rowStarts
        self.columnIndices = columnIndices
        self.values = values
    }

    /// The number of stored (non-zero) entries.
    public var nonZeroCount: Int { values.count }

    /// The fraction of entries that are stored: `nonZeroCount / (rows · columns)` (1 for an empty matrix).
    public var density: Double { rows * columns == 0 ? 1 : Double(nonZeroCount) / Double(rows * columns) }

    /// The fraction of non-zero entries of `dense` (1 for an empty tensor), without building the matrix.
    public static func density(of dense: Tensor) -> Double {
        guard dense.count > 0 else { return 1 }
        return dense.withUnsafeBufferPointer { values in Double(values.reduce(0) { $1 != 0 ? $0 + 1 : $0 }) / Double(values.count) }
    }

    /// `C = A · B + beta · C` for this matrix `A` `[rows, self.columns]` and a dense row-major `B`
    /// `[self.columns, columns]` (rows `ldb` apart) into a dense row-major `C` `[rows, columns]` (rows `ldc` apart),
    /// on the calling thread. `beta` is 0 (overwrite) or 1 (accumulate).
    ///
    /// Each row of `C` is built from the rows of `B` its non-zeros select, four at a time, in column strips that
    /// stay in the L1 cache; the work is proportional to `nonZeroCount · columns`.
    public func multiply(_ b: UnsafePointer<Float>, into c: UnsafeMutablePointer<Float>, columns n: Int,
                         ldb: Int, ldc: Int, beta: Float) {
        multiply(rows: 0..<rows, b, into: c, columns: n, ldb: ldb, ldc: ldc, beta: beta)
    }

    /// The outputs `[N, rows]` of a linear layer with this weight `[outputs, inputs]`: `x · Aᵀ + bias` for a batch
    /// `x` `[N, columns]`, its output rows split across ``ComputeThreads/count`` workers.
    /// - Throws: ``TensorError/shapeMismatch(operation:expected:actual:)`` unless `x` is `[N, columns]` and `bias`
    ///   (when given) `[rows]`.
    public func linearForward(_ x: Tensor, bias: Tensor?) throws -> Tensor {
        guard x.rank == 2, x.shape[1] == columns else {
            throw TensorError.shapeMismatch(operation: "sparse linear input [N, inputs]", expected: [x.shape.first ?? 0, columns], actual: x.shape)
        }
        if let bias { try ensureShape(bias, [rows], "sparse linear bias") }
        let batch = x.shape[0]
        // Yᵀ = A · Xᵀ, so that each non-zero scales a contiguous row of the batch's inputs.
        let transposedInput = Tensor(shape: [columns, batch]) { xt, _ in
            x.withUnsafeBufferPointer { xs in
                for n in 0..<batch { for j in 0..<columns { xt[j * batch + n] = xs[n * columns + j] } }
            }
        }
        let transposedOutput = Tensor(shape: [rows, batch]) { yt, _ in
            transposedInput.withUnsafeBufferPointer { xt in
                let p = UncheckedSendable((xt.baseAddress!, yt))
                ComputeThreads.forEachRange(rows, minimumPerChunk: Self.minimumRowsPerWorker) { range in
                    let (xt, yt) = p.value
                    multiply(rows: range, xt, into: yt, columns: batch, ldb: batch, ldc: batch, beta: 0)
                }
            }
        }
        return Tensor(shape: [batch, rows]) { y, _ in
            transposedOutput.withUnsafeBufferPointer { yt in
                for n in 0..<batch {
                    for o in 0..<rows { y[n * rows + o] = yt[o * batch + n] + (bias?[flat: o] ?? 0) }
                }
            }
        }
    }

    /// Output rows below which splitting a sparse linear layer across workers costs more than it saves.
    static let minimumRowsPerWorker = 8

    /// ``multiply(_:into:columns:ldb:ldc:beta:)`` for the rows `rowRange` of `A` and `C` only.
    private func multiply(rows rowRange: Range<Int>, _ b: UnsafePointer<Float>, into c: UnsafeMutablePointer<Float>,
                          columns n: Int, ldb: Int, ldc: Int, beta: Float) {
        precondition(beta == 0 || beta == 1, "SparseMatrix.multiply accumulates (beta 1) or overwrites (beta 0)")
        rowStarts.withUnsafeBufferPointer { starts in
            columnIndices.withUnsafeBufferPointer { indices in
                values.withUnsafeBufferPointer { values in
                    var strip = 0
                    while strip < n {
                        let width = min(Self.stripWidth, n - strip)
                        for row in rowRange {
                            let out = c + row * ldc + strip
                            if beta == 0 { out.update(repeating: 0, count: width) }
                            var entry = starts[row]
                            let end = starts[row + 1]
                            while entry + 4 <= end {
                                let b0 = b + Int(indices[entry]) * ldb + strip, v0 = values[entry]
                                let b1 = b + Int(indices[entry + 1]) * ldb + strip, v1 = values[entry + 1]
                                let b2 = b + Int(indices[entry + 2]) * ldb + strip, v2 = values[entry + 2]
                                let b3 = b + Int(indices[entry + 3]) * ldb + strip, v3 = values[entry + 3]
                                for p in 0..<width { out[p] += (v0 * b0[p] + v1 * b1[p]) + (v2 * b2[p] + v3 * b3[p]) }
                                entry += 4
                            }
                            while entry < end {
                                let source = b + Int(indices[entry]) * ldb + strip, v = values[entry]
                                for p in 0..<width { out[p] += v * source[p] }
                                entry += 1
                            }
                        }
                        strip += width
                    }
                }
            }
        }
    }

    /// Columns of `B` and `C` processed together: one strip of a `C` row and of four `B` rows stays in L1.
    static let stripWidth = 512
}
