import Datasets
import Foundation
import TensorCore

/// The data of a search run: a folder in any format `DatasetFormat` recognises (MNIST-format IDX, CIFAR-10,
/// CIFAR-100, STL-10 binary) or the embedded 8x8 digits, normalised per channel with the training set's statistics.
struct SearchData {
    /// What `summary.json` records as the dataset: the format's name and the folder, or the embedded digits.
    let name: String
    let train: LabeledDataset
    let test: LabeledDataset
    /// How the inputs were prepared, for `ilnas evaluate`.
    let preparation: DataPreparation

    /// The data of `directory` (the embedded digits, split with `seed`, when `nil`); with `inputShape`, every image is
    /// first adapted to that shape (``Datasets/LabeledDataset/adapted(to:)``), as for a network trained on other data.
    static func load(directory: String?, seed: UInt64, adaptingTo inputShape: [Int]? = nil) throws -> SearchData {
        var (name, train, test) = try directory.map(folder) ?? digits(splitSeed: seed)
        if let inputShape {
            (train, test) = (try train.adapted(to: inputShape), try test.adapted(to: inputShape))
        }
        let preparation = DataPreparation(dataset: name, digitsSplitSeed: directory == nil ? seed : nil,
                                          statistics: try ChannelStatistics(of: train.images))
        let normalization = try preparation.normalization()
        return SearchData(name: name, train: try normalized(train, normalization), test: try normalized(test, normalization),
                          preparation: preparation)
    }

    /// The test set of `directory` (the embedded digits when `nil`) prepared as `preparation` says: split as the run
    /// split the digits, adapted to `inputShape` (a no-op for the run's own data) and normalised with the run's
    /// training statistics.
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
            test = try folder(directory).test
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

    /// The name, training set and test set of the dataset in `directory`, whose format is recognised from its files.
    private static func folder(_ directory: String) throws -> (name: String, train: LabeledDataset, test: LabeledDataset) {
        let detected = try DatasetFormat.detect(directory: directory)
        let (train, test) = try detected.load(directory: directory)
        return ("\(detected.name) (\(directory))", train, test)
    }

    /// The name, training set and test set of the embedded digits, split with `splitSeed`, as read.
    private static func digits(splitSeed: UInt64) throws -> (name: String, train: LabeledDataset, test: LabeledDataset) {
        let (train, test) = try Digits.loadEmbedded().split(testFraction: 0.2, seed: splitSeed)
        return ("sklearn-digits (embedded)", train, test)
    }

    static func normalized(_ dataset: LabeledDataset, _ normalization: ChannelNormalization) throws -> LabeledDataset {
        var unused = RandomGenerator(seed: 0)
        let images = try normalization.applied(to: dataset.images, using: &unused)
        return try LabeledDataset(images: images, labels: dataset.labels, classCount: dataset.classCount)
    }
}
