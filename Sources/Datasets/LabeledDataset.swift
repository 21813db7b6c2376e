import TensorCore

/// Images with one class label each, held in memory.
///
/// `images` has shape `[N, C, H, W]` (NCHW). The loaders in this module scale raw pixels to [0, 1]:
/// pixel bytes (IDX, CIFAR-10, CIFAR-100, STL-10) are divided by 255, sklearn digits values by 16.
/// Normalisation and augmentation are separate steps (`ChannelNormalization`, `DataLoader`).
public struct LabeledDataset: Sendable, Equatable {
    /// All images, shape `[N, C, H, W]`.
    public let images: Tensor
    /// The class of each image, each in `0..<classCount`.
    public let labels: [Int]
    /// The number of classes.
    public let classCount: Int

    /// Creates a dataset, checking that the parts fit together.
    /// - Throws: `DatasetError.invalidArgument` if `images` is not of rank 4, the image and label counts
    ///   differ, `classCount` is not positive or a label is outside `0..<classCount`.
    public init(images: Tensor, labels: [Int], classCount: Int) throws {
        let operation = "LabeledDataset"
        guard images.rank == 4 else {
            throw DatasetError.invalidArgument(operation: operation, reason: "images must have shape [N, C, H, W], got \(images.shape)")
        }
        guard images.shape[0] == labels.count else {
            throw DatasetError.invalidArgument(
                operation: operation, reason: "\(images.shape[0]) images but \(labels.count) labels")
        }
        guard classCount >= 1 else {
            throw DatasetError.invalidArgument(operation: operation, reason: "class count must be positive, got \(classCount)")
        }
        if let index = labels.firstIndex(where: { $0 < 0 || $0 >= classCount }) {
            throw DatasetError.invalidArgument(
                operation: operation, reason: "label \(labels[index]) at index \(index) is outside 0..<\(classCount)")
        }
        self.images = images
        self.labels = labels
        self.classCount = classCount
    }

    /// The number of samples.
    public var count: Int { labels.count }

    /// The shape of one image, `[C, H, W]`.
    public var sampleShape: [Int] { Array(images.shape.dropFirst()) }

    /// The number of values in one image, `C * H * W`.
    public var sampleSize: Int { sampleShape.reduce(1, *) }

    /// How many samples each class has, indexed by class.
    public func classCounts() -> [Int] {
        var counts = [Int](repeating: 0, count: classCount)
        for label in labels { counts[label] += 1 }
        return counts
    }

    /// The samples at `indices`, in that order (repetitions allowed).
    /// - Throws: `DatasetError.invalidArgument` if an index is outside `0..<count`.
    public func subset(_ indices: [Int]) throws -> LabeledDataset {
        if let bad = indices.first(where: { $0 < 0 || $0 >= count }) {
            throw DatasetError.invalidArgument(operation: "LabeledDataset.subset", reason: "index \(bad) is outside 0..<\(count)")
        }
        let (images, labels) = gather(indices)
        return try LabeledDataset(images: images, labels: labels, classCount: classCount)
    }

    /// The images (shape `[indices.count, C, H, W]`) and labels at `indices`, copied one image at a time.
    /// - Precondition: every index is in `0..<count` (callers validate or generate them).
    func gather<Indices: Collection<Int>>(_ indices: Indices) -> (images: Tensor, labels: [Int]) {
        let size = sampleSize
        let scalars = [Float](unsafeUninitializedCapacity: indices.count * size) { destination, initialized in
            images.withUnsafeBufferPointer { source in
                for (position, index) in indices.enumerated() {
                    precondition(index >= 0 && index < count, "sample index \(index) outside 0..<\(count)")
                    guard size > 0, let from = source.baseAddress, let to = destination.baseAddress else { continue }
                    (to + position * size).initialize(from: from + index * size, count: size)
                }
            }
            initialized = indices.count * size
        }
        return (Tensor(shape: [indices.count] + sampleShape, scalars: scalars), indices.map { labels[$0] })
    }
}
