import Datasets
import Foundation
import TensorCore

/// The data of a search run: IDX files from a folder (MNIST, Fashion-MNIST) or the embedded 8x8 digits,
/// normalised per channel with the training set's statistics.
struct SearchData {
    let name: String
    let train: LabeledDataset
    let test: LabeledDataset

    static func load(directory: String?, seed: UInt64) throws -> SearchData {
        let name: String
        var (train, test): (LabeledDataset, LabeledDataset)
        if let directory {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw DatasetError.missingFile(path: directory)
            }
            (train, test) = try MNIST.load(directory: directory)
            name = "idx:\(directory)"
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
