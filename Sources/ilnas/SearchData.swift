import Datasets
import Foundation
import TensorCore

/// The data of a search run: a folder in any format `DatasetFormat` recognises (MNIST-format IDX, CIFAR-10,
/// CIFAR-100, STL-10 binary, image folders) or the embedded 8x8 digits, resized and given the channels asked for, and
/// normalised per channel with the training set's statistics.
struct SearchData {
    /// What `summary.json` records as the dataset: the format's name and the folder, or the embedded digits.
    let name: String
    /// The format of the folder; `nil` for the embedded digits.
    let format: DatasetFormat?
    let train: LabeledDataset
    let test: LabeledDataset
    /// How the inputs were prepared, for `ilnas evaluate`; the augmentation is set once the options are resolved.
    var preparation: DataPreparation

    /// The data of `directory` (the embedded digits, split with `seed`, when `nil`), brought to `inputShape` when given
    /// (`LabeledDataset.adapted(to:)`, as for a network trained on other data), otherwise to the size and
    /// channels `images` asks for, then normalised per channel with the training images' statistics. Image folders
    /// are decoded at `images.imageSize` (or `inputShape`'s side, or 32); the preparation records the side used.
    /// - Throws: `CommandFailure` when `images` asks for another shape than `inputShape`, and the loaders' errors.
    /// The loader's temporaries (raw and unnormalised images) are handed back to the system once they are freed
    /// (``HeapPolicy/releaseFreeMemory()``).
    static func load(directory: String?, seed: UInt64, adaptingTo inputShape: [Int]? = nil,
                     images: ImagePreparation = .asStored) throws -> SearchData {
        let data = try prepared(directory: directory, seed: seed, adaptingTo: inputShape, images: images)
        HeapPolicy.releaseFreeMemory()
        return data
    }

    /// ``load(directory:seed:adaptingTo:images:)`` but for handing back the freed memory.
    private static func prepared(directory: String?, seed: UInt64, adaptingTo inputShape: [Int]?,
                                 images: ImagePreparation) throws -> SearchData {
        var images = images
        var (name, format, train, test, classNames) = try directory.map { try folder($0, images: images, inputShape: inputShape) }
            ?? digits(splitSeed: seed)
        if format == .imageFolders, images.imageSize == nil { images.imageSize = train.sampleShape[1] }
        let target = try targetShape(of: train.sampleShape, images: images, inputShape: inputShape)
        (train, test) = (try train.adapted(to: target), try test.adapted(to: target))
        var preparation = DataPreparation(dataset: name, digitsSplitSeed: directory == nil ? seed : nil,
                                          statistics: try ChannelStatistics(of: train.images), images: images)
        preparation.classNames = classNames
        let normalization = try preparation.normalization()
        return SearchData(name: name, format: format, train: try normalized(train, normalization),
                          test: try normalized(test, normalization), preparation: preparation)
    }

    /// The shape images of `shape` are brought to: `inputShape` when given (which `images` must agree with), otherwise
    /// `images`' size and channels where set.
    private static func targetShape(of shape: [Int], images: ImagePreparation, inputShape: [Int]?) throws -> [Int] {
        guard let inputShape else {
            return [images.channels ?? shape[0], images.imageSize ?? shape[1], images.imageSize ?? shape[2]]
        }
        if let size = images.imageSize, inputShape[1] != size || inputShape[2] != size {
            throw CommandFailure(message: "--image-size \(size) does not fit the network's input \(inputShape): leave it out with --from")
        }
        if let channels = images.channels, inputShape[0] != channels {
            throw CommandFailure(message: "--channels \(channels) does not fit the network's input \(inputShape): leave it out with --from")
        }
        return inputShape
    }

    /// The test set of `directory` (the embedded digits when `nil`) prepared as `preparation` says: split as the run
    /// split the digits, decoded at the run's image size (image folders), adapted to `inputShape` (for the run's own
    /// data, the resizing and channel change the run made) and normalised with the run's training statistics. No
    /// random augmentation.
    /// - Throws: `CommandFailure` when the digits are asked for but the run was not on them.
    static func testSet(directory: String?, preparation: DataPreparation, adaptingTo inputShape: [Int]) throws -> LabeledDataset {
        try normalized(unnormalizedTestSet(directory: directory, preparation: preparation, adaptingTo: inputShape),
                       preparation.normalization())
    }

    /// The test set of ``testSet(directory:preparation:adaptingTo:)`` before normalisation: pixels in [0, 1], what an
    /// exported network takes.
    static func unnormalizedTestSet(directory: String?, preparation: DataPreparation, adaptingTo inputShape: [Int]) throws -> LabeledDataset {
        let test: LabeledDataset
        if let directory {
            test = try folder(directory, images: preparation.images, inputShape: inputShape).test
        } else if let seed = preparation.digitsSplitSeed {
            test = try digits(splitSeed: seed).test
        } else {
            throw CommandFailure(message: "the run was on \(preparation.dataset), not the embedded digits: give its folder with --data")
        }
        return try test.adapted(to: inputShape)
    }

    /// The test set in the batches the search evaluates it in (500 at a time, in order), so that any evaluation
    /// of the same network computes the same sums.
    static func testBatches(_ test: LabeledDataset) throws -> DataLoader {
        try DataLoader(dataset: test, batchSize: 500, shuffle: false)
    }

    /// The name, format, training set and test set of the dataset in `directory`, whose format is recognised from its
    /// files; image folders are decoded at `images.imageSize`, else at `inputShape`'s side when square, else at 32, and
    /// come with their class names in label order.
    private static func folder(_ directory: String, images: ImagePreparation, inputShape: [Int]?)
        throws -> (name: String, format: DatasetFormat?, train: LabeledDataset, test: LabeledDataset, classNames: [String]?) {
        let detected = try DatasetFormat.detect(directory: directory)
        let side = images.imageSize ?? inputShape.flatMap { $0[1] == $0[2] ? $0[1] : nil }
        guard detected == .imageFolders else {
            let (train, test) = try detected.load(directory: directory)
            return ("\(detected.name) (\(directory))", detected, train, test, nil)
        }
        let folders = try ImageFolder(directory: directory, side: side ?? ImageFolder.defaultSide, cacheDirectory: images.imageCache)
        return ("\(detected.name) (\(directory))", detected, folders.train, folders.test, folders.classNames)
    }

    /// The name, training set and test set of the embedded digits, split with `splitSeed`, as read.
    private static func digits(splitSeed: UInt64)
        throws -> (name: String, format: DatasetFormat?, train: LabeledDataset, test: LabeledDataset, classNames: [String]?) {
        let (train, test) = try Digits.loadEmbedded().split(testFraction: 0.2, seed: splitSeed)
        return ("sklearn-digits (embedded)", nil, train, test, nil)
    }

    static func normalized(_ dataset: LabeledDataset, _ normalization: ChannelNormalization) throws -> LabeledDataset {
        var unused = RandomGenerator(seed: 0)
        let images = try normalization.applied(to: dataset.images, using: &unused)
        return try LabeledDataset(images: images, labels: dataset.labels, classCount: dataset.classCount)
    }
}
