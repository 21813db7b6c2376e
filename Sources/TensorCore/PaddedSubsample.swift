/// The parameter-free ("option A") shortcut of a CIFAR ResNet block (He et al. 2016, sec. 4.2): every `stride`-th
/// row and column of each channel, with zero channels added, `padding / 2` before and the rest after, as PyTorch's
/// `F.pad(x[:, :, ::s, ::s], (0, 0, 0, 0, p // 2, p - p // 2))`.
public enum PaddedSubsample {
    /// `input` `[N, C, H, W]` subsampled to `[N, C + addedChannels, ⌈H/stride⌉, ⌈W/stride⌉]`.
    public static func forward(input: Tensor, stride: Int, addedChannels: Int) throws -> Tensor {
        let shape = try outputShape(input.shape, stride: stride, addedChannels: addedChannels)
        let (channels, height, width) = (input.shape[1], input.shape[2], input.shape[3])
        let (outHeight, outWidth) = (shape[2], shape[3]), before = addedChannels / 2
        return input.withUnsafeBufferPointer { x in
            Tensor(shape: shape) { y, count in
                y.update(repeating: 0, count: count)
                for n in 0..<shape[0] {
                    for c in 0..<channels {
                        let source = x.baseAddress! + (n * channels + c) * height * width
                        let target = y + ((n * shape[1]) + before + c) * outHeight * outWidth
                        for h in 0..<outHeight {
                            for w in 0..<outWidth { target[h * outWidth + w] = source[h * stride * width + w * stride] }
                        }
                    }
                }
            }
        }
    }

    /// `∂L/∂input` `[N, C, H, W]` (`inputShape`) from `outputGradient`: each sampled pixel gets its gradient, the rest
    /// and the added channels' gradients are dropped.
    public static func backward(outputGradient: Tensor, inputShape: [Int], stride: Int, addedChannels: Int) throws -> Tensor {
        let shape = try outputShape(inputShape, stride: stride, addedChannels: addedChannels)
        try ensureShape(outputGradient, shape, "padded subsample backward (output gradient)")
        let (channels, height, width) = (inputShape[1], inputShape[2], inputShape[3])
        let (outHeight, outWidth) = (shape[2], shape[3]), before = addedChannels / 2
        return outputGradient.withUnsafeBufferPointer { dy in
            Tensor(shape: inputShape) { dx, count in
                dx.update(repeating: 0, count: count)
                for n in 0..<inputShape[0] {
                    for c in 0..<channels {
                        let source = dy.baseAddress! + ((n * shape[1]) + before + c) * outHeight * outWidth
                        let target = dx + (n * channels + c) * height * width
                        for h in 0..<outHeight {
                            for w in 0..<outWidth { target[h * stride * width + w * stride] = source[h * outWidth + w] }
                        }
                    }
                }
            }
        }
    }

    /// The output shape for an NCHW `input` shape, or a thrown error for another rank or invalid sizes.
    public static func outputShape(_ input: [Int], stride: Int, addedChannels: Int) throws -> [Int] {
        guard input.count == 4, input.allSatisfy({ $0 >= 0 }) else {
            throw TensorError.shapeMismatch(operation: "padded subsample input [N, C, H, W]",
                                            expected: [-1, -1, -1, -1], actual: input)
        }
        guard stride >= 1, addedChannels >= 0 else {
            throw TensorError.invalidArgument(operation: "padded subsample",
                reason: "stride \(stride) must be at least 1 and added channels \(addedChannels) at least 0")
        }
        return [input[0], input[1] + addedChannels, (input[2] + stride - 1) / stride, (input[3] + stride - 1) / stride]
    }
}
