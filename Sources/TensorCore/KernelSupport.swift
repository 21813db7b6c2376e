/// Shared plumbing of the element-wise and per-plane kernels: output allocation without a
/// redundant zero fill, and the work size below which splitting across threads does not pay.

extension ComputeThreads {
    /// Element-wise loops over fewer elements than this run on one thread: below it the cost of
    /// waking workers exceeds the memory-bound work.
    static let elementwiseGrain = 1 << 15

    /// The smallest number of planes of `planeSize` elements worth handing to one worker.
    static func planesPerChunk(planeSize: Int) -> Int {
        max(1, elementwiseGrain / max(1, planeSize))
    }
}

extension Tensor {
    /// A tensor of `shape` whose elements are all written by `body(pointer, count)`.
    ///
    /// The storage starts uninitialised, so outputs that are fully overwritten skip the zero fill.
    /// `body` is not called when the shape has no elements.
    init(shape: [Int], overwritingWith body: (UnsafeMutablePointer<Float>, Int) -> Void) {
        let count = shape.reduce(1, *)
        guard count > 0 else {
            self.init(zeros: shape)
            return
        }
        let scalars = [Float](unsafeUninitializedCapacity: count) { buffer, initializedCount in
            body(buffer.baseAddress!, count)
            initializedCount = count
        }
        self.init(shape: shape, scalars: scalars)
    }
}

/// The sizes of an NCHW shape, or a shape mismatch naming `operation` when `shape` is not rank 4
/// with non-negative sizes. The expected shape reports unknown sizes as `-1`.
func imageDimensions(_ shape: [Int], _ operation: String) throws -> (batch: Int, channels: Int, height: Int, width: Int) {
    guard shape.count == 4, shape.allSatisfy({ $0 >= 0 }) else {
        throw TensorError.shapeMismatch(operation: "\(operation) input [N, C, H, W]", expected: [-1, -1, -1, -1], actual: shape)
    }
    return (shape[0], shape[1], shape[2], shape[3])
}
