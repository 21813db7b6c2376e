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

    static func load(directory: String?, seed: UInt64) throws -> SearchData {
        let name: String
        var (train, test): (LabeledDataset, LabeledDataset)
        if let directory {
            let detected = try DatasetFormat.detect(directory: directory)
            (train, test) = try detected.load(directory: directory)
            name = "\(detected.name) (\(directory))"
        } else {
            (train, test) = try Digits.loadEmbedded().split(testFraction: 0.2, seed: seed)
            name = "sklearn-digits (embedded)"
        }
        let normalization = try ChannelNormalization(ChannelStatistics(of: train.images))
        return SearchData(name: name, train: try normalized(train, normalization), test: try normalized(test, normalization))
    }

    private static func normalized(_ dataset: LabeledDataset, _ normalization: ChannelNormalization) throws -> LabeledDataset {
        var unused = RandomGenerator(seed: 0)
        let images = try normalization.applied(to: dataset.images, using: &unused)
        return try LabeledDataset(images: images, labels: dataset.labels, classCount: dataset.classCount)
    }
}
