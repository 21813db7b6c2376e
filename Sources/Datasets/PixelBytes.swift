import TensorCore

/// Pixel bytes (0...255) converted to `Float` values in [0, 1] by dividing by 255: the scaling of every
/// loader of byte images (IDX, CIFAR, STL-10).
enum PixelBytes {
    /// Writes `source[sourceIndex(i)] / 255` to `destination[i]` for every `i`, in parallel chunks.
    /// `sourceIndex` maps an output position to its byte, so a loader can skip label bytes or reorder pixels;
    /// the caller guarantees that it stays inside `source`.
    static func scale(_ source: UnsafeBufferPointer<UInt8>, into destination: UnsafeMutableBufferPointer<Float>,
                      sourceIndex: (Int) -> Int) {
        ComputeThreads.forEachRange(destination.count, minimumPerChunk: 1 << 20) { range in
            for i in range { destination[i] = Float(source[sourceIndex(i)]) / 255 }
        }
    }

    /// `count` values, value `i` being `source[sourceIndex(i)] / 255` (see `scale(_:into:sourceIndex:)`).
    static func scaled(_ source: UnsafeBufferPointer<UInt8>, count: Int, sourceIndex: (Int) -> Int) -> [Float] {
        [Float](unsafeUninitializedCapacity: count) { destination, initialized in
            scale(source, into: destination, sourceIndex: sourceIndex)
            initialized = count
        }
    }
}
