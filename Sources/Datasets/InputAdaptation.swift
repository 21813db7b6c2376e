import TensorCore

extension LabeledDataset {
    /// This dataset with every image brought to `shape` (`[C, H, W]`), so that a network trained on one kind of
    /// image can be evaluated on or keep evolving on another (Section 5.2: STL-10 resized to 32x32 for a CIFAR-10
    /// network, grey MNIST repeated into three channels): bilinear resizing to H x W (PyTorch's `interpolate` without
    /// antialiasing), then grey to colour by repeating the channel, or colour to grey by the mean of the channels.
    /// Images already of that shape are returned unchanged.
    /// - Throws: `DatasetError.invalidArgument` for a shape that is not `[C, H, W]` with positive sizes, or a channel
    ///   change other than one channel to many or many to one.
    public func adapted(to shape: [Int]) throws -> LabeledDataset {
        let operation = "adapting images to \(shape)"
        guard shape.count == 3, shape.allSatisfy({ $0 > 0 }) else {
            throw DatasetError.invalidArgument(operation: operation, reason: "the shape must be [C, H, W] with positive sizes")
        }
        guard sampleShape != shape else { return self }
        var adapted = images
        if sampleShape[1] != shape[1] || sampleShape[2] != shape[2] {
            adapted = try BilinearResize.forward(input: adapted, height: shape[1], width: shape[2])
        }
        switch (sampleShape[0], shape[0]) {
        case let (have, want) where have == want:
            break
        case let (1, want):
            adapted = try ChannelRepeat.forward(input: adapted, times: want)
        case (_, 1):
            adapted = Self.channelMean(of: adapted)
        case let (have, want):
            throw DatasetError.invalidArgument(operation: operation, reason: "cannot turn \(have) channels into \(want)")
        }
        return try LabeledDataset(images: adapted, labels: labels, classCount: classCount)
    }

    /// `[N, C, H, W]` averaged over its channels into `[N, 1, H, W]`.
    private static func channelMean(of images: Tensor) -> Tensor {
        let (count, channels, plane) = (images.shape[0], images.shape[1], images.shape[2] * images.shape[3])
        var mean = [Float](repeating: 0, count: count * plane)
        images.withUnsafeBufferPointer { x in
            for n in 0..<count {
                for c in 0..<channels {
                    for p in 0..<plane { mean[n * plane + p] += x[(n * channels + c) * plane + p] }
                }
            }
        }
        for i in mean.indices { mean[i] /= Float(channels) }
        return Tensor(shape: [count, 1, images.shape[2], images.shape[3]], scalars: mean)
    }
}
