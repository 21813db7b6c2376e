/// Global average-pooling: the mean of every channel plane of an NCHW tensor, flattened to `[N, C]`
/// (PyTorch's `AdaptiveAvgPool2d(1)` followed by `Flatten`).
public enum GlobalAveragePooling {
    /// The `[N, C]` plane means of `input` `[N, C, H, W]`.
    public static func forward(input: Tensor) throws -> Tensor {
        let (batch, channels, height, width) = try imageDimensions(input.shape, "global average pool")
        let planes = batch * channels, plane = height * width
        guard plane > 0 else {
            throw TensorError.invalidArgument(operation: "global average pool", reason: "input planes \(height)x\(width) are empty")
        }
        let scale = 1 / Float(plane)
        return input.withUnsafeBufferPointer { x in
            Tensor(shape: [batch, channels]) { y, _ in
                let p = UncheckedSendable((x.baseAddress!, y))
                ComputeThreads.forEachRange(planes, minimumPerChunk: ComputeThreads.planesPerChunk(planeSize: plane)) { range in
                    let (x, y) = p.value
                    for index in range {
                        y[index] = Reduction.sum(x + index * plane, plane) * scale
                    }
                }
            }
        }
    }

    /// `∂L/∂input` for an input of `inputShape` `[N, C, H, W]`: each `[N, C]` gradient spread evenly over its plane.
    public static func backward(outputGradient: Tensor, inputShape: [Int]) throws -> Tensor {
        let (batch, channels, height, width) = try imageDimensions(inputShape, "global average pool backward")
        try ensureShape(outputGradient, [batch, channels], "global average pool backward (output gradient)")
        let planes = batch * channels, plane = height * width
        let scale = 1 / Float(max(1, plane))
        return outputGradient.withUnsafeBufferPointer { dy in
            Tensor(shape: inputShape) { dx, _ in
                let p = UncheckedSendable((dy.baseAddress!, dx))
                ComputeThreads.forEachRange(planes, minimumPerChunk: ComputeThreads.planesPerChunk(planeSize: plane)) { range in
                    let (dy, dx) = p.value
                    for index in range {
                        (dx + index * plane).update(repeating: dy[index] * scale, count: plane)
                    }
                }
            }
        }
    }
}
