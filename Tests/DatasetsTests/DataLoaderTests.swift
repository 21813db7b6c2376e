import Datasets
import TensorCore
import XCTest

final class DataLoaderTests: XCTestCase {
    /// `count` images of shape [1, 2, 2] whose values all equal the sample index, labels `index % 3`.
    private func indexed(count: Int) throws -> LabeledDataset {
        try LabeledDataset(images: Tensor(shape: [count, 1, 2, 2], generator: { Float($0 / 4) }),
                           labels: (0..<count).map { $0 % 3 }, classCount: 3)
    }

    private func collect(_ loader: DataLoader, epoch: Int) -> [Batch] {
        Array(loader.batches(epoch: epoch))
    }

    func testBatchSizesKeepOrDropTheLastPartialBatch() throws {
        let dataset = try indexed(count: 10)
        let cases: [(batchSize: Int, dropLast: Bool, sizes: [Int])] = [
            (4, false, [4, 4, 2]), (4, true, [4, 4]), (5, false, [5, 5]), (5, true, [5, 5]),
            (10, false, [10]), (20, false, [10]), (20, true, []), (1, false, [Int](repeating: 1, count: 10)),
        ]
        for (batchSize, dropLast, sizes) in cases {
            let loader = try DataLoader(dataset: dataset, batchSize: batchSize, dropLast: dropLast, seed: 3)
            XCTAssertEqual(collect(loader, epoch: 0).map(\.count), sizes, "batch size \(batchSize), dropLast \(dropLast)")
            XCTAssertEqual(loader.batchCount, sizes.count)
            XCTAssertEqual(loader.batches(epoch: 0).count, sizes.count)
        }
        let empty = try DataLoader(dataset: try indexed(count: 0), batchSize: 4)
        XCTAssertEqual(collect(empty, epoch: 0).count, 0)
    }

    func testEverySampleExactlyOncePerEpochWithMatchingImagesAndLabels() throws {
        let dataset = try indexed(count: 103)
        let loader = try DataLoader(dataset: dataset, batchSize: 16, seed: 8)
        for epoch in 0..<3 {
            let batches = collect(loader, epoch: epoch)
            let indices = batches.flatMap(\.indices)
            XCTAssertEqual(indices.sorted(), Array(0..<103))
            XCTAssertEqual(indices, loader.sampleOrder(epoch: epoch))
            for batch in batches {
                XCTAssertEqual(batch.images.shape, [batch.count, 1, 2, 2])
                XCTAssertEqual(batch.labels, batch.indices.map { $0 % 3 })
                XCTAssertEqual(batch.images.scalars, batch.indices.flatMap { [Float](repeating: Float($0), count: 4) })
            }
        }
    }

    func testOrderDependsOnlyOnSeedAndEpoch() throws {
        let dataset = try indexed(count: 50)
        let first = try DataLoader(dataset: dataset, batchSize: 7, seed: 21)
        let second = try DataLoader(dataset: dataset, batchSize: 7, seed: 21)
        _ = collect(first, epoch: 0)
        XCTAssertEqual(collect(first, epoch: 5), collect(second, epoch: 5), "no hidden state between epochs")
        XCTAssertEqual(first.sampleOrder(epoch: 2), second.sampleOrder(epoch: 2))
        XCTAssertNotEqual(first.sampleOrder(epoch: 0), first.sampleOrder(epoch: 1))
        let other = try DataLoader(dataset: dataset, batchSize: 7, seed: 22)
        XCTAssertNotEqual(first.sampleOrder(epoch: 0), other.sampleOrder(epoch: 0))
    }

    func testOrderIsStableAcrossRuns() throws {
        // Pinned values: a change here means the shuffles of earlier experiments can no longer be reproduced.
        let loader = try DataLoader(dataset: try indexed(count: 10), batchSize: 4, seed: 1)
        XCTAssertEqual(loader.sampleOrder(epoch: 0), [9, 6, 5, 8, 7, 1, 3, 2, 0, 4])
    }

    func testWithoutShuffleKeepsDatasetOrder() throws {
        let loader = try DataLoader(dataset: try indexed(count: 9), batchSize: 4, shuffle: false)
        XCTAssertEqual(collect(loader, epoch: 3).map(\.indices), [[0, 1, 2, 3], [4, 5, 6, 7], [8]])
    }

    func testPrefetchGivesExactlyTheSequentialBatches() throws {
        let dataset = try indexed(count: 77)
        let augmentation = TransformPipeline([try RandomCrop(padding: 1), try RandomHorizontalFlip()])
        let prefetching = try DataLoader(dataset: dataset, batchSize: 8, seed: 5, augmentation: augmentation, prefetch: true)
        let sequential = try DataLoader(dataset: dataset, batchSize: 8, seed: 5, augmentation: augmentation, prefetch: false)
        for epoch in 0..<4 {
            XCTAssertEqual(collect(prefetching, epoch: epoch), collect(sequential, epoch: epoch), "epoch \(epoch)")
        }
    }

    /// A run resumed in the middle of an epoch continues with exactly the batches, augmentation included, that the
    /// epoch would have given next.
    func testAnEpochFromAGivenBatchIsTheRestOfThatEpoch() throws {
        let augmentation = TransformPipeline([try RandomCrop(padding: 1), try RandomHorizontalFlip()])
        for prefetch in [true, false] {
            let loader = try DataLoader(dataset: try indexed(count: 45), batchSize: 8, seed: 4, augmentation: augmentation, prefetch: prefetch)
            let full = collect(loader, epoch: 2)
            for first in 0...full.count {
                let rest = loader.batches(epoch: 2, from: first)
                XCTAssertEqual(rest.count, full.count - first)
                XCTAssertEqual(Array(rest), Array(full.dropFirst(first)), "from batch \(first), prefetch \(prefetch)")
            }
            XCTAssertEqual(Array(loader.batches(epoch: 2, from: 99)), [])
        }
    }

    func testLeavingAnEpochEarlyAndRestarting() throws {
        let loader = try DataLoader(dataset: try indexed(count: 40), batchSize: 8, seed: 2)
        var seen: [Batch] = []
        for batch in loader.batches(epoch: 1) {
            seen.append(batch)
            if seen.count == 2 { break }
        }
        let full = collect(loader, epoch: 1)
        XCTAssertEqual(seen, Array(full.prefix(2)))
        XCTAssertEqual(full.count, 5)
    }

    func testAugmentationIsAppliedAndSeededPerBatch() throws {
        let dataset = try LabeledDataset(images: Tensor(shape: [32, 1, 4, 4], generator: { Float($0 % 16 + 1) }),
                                         labels: [Int](repeating: 0, count: 32), classCount: 1)
        let crop = try RandomCrop(padding: 2)
        let augmented = try DataLoader(dataset: dataset, batchSize: 8, seed: 4, augmentation: crop, prefetch: false)
        let plain = try DataLoader(dataset: dataset, batchSize: 8, seed: 4, prefetch: false)
        let epoch = collect(augmented, epoch: 0)
        XCTAssertEqual(epoch, collect(augmented, epoch: 0))
        XCTAssertNotEqual(epoch.map(\.images), collect(plain, epoch: 0).map(\.images))
        XCTAssertEqual(epoch.map(\.indices), collect(plain, epoch: 0).map(\.indices), "augmentation does not change the order")
        XCTAssertNotEqual(epoch.map(\.images), collect(augmented, epoch: 1).map(\.images))
    }

    /// Each image is augmented alone with the generator of its row in the whole batch: a crop with padding 1 moves the
    /// 3 x 3 image 1...9 of that sample by the two offsets that generator draws first, which the expectation applies by
    /// hand (`output[y][x] = input[y + top - 1][x + left - 1]`, zero outside).
    func testEachImageIsCroppedByTheOffsetsOfItsRowsGenerator() throws {
        let count = 11
        let dataset = try LabeledDataset(images: Tensor(shape: [count, 1, 3, 3], generator: { Float($0 % 9 + 1) + Float($0 / 9) * 10 }),
                                         labels: [Int](repeating: 0, count: count), classCount: 1)
        let loader = try DataLoader(dataset: dataset, batchSize: 4, seed: 7, augmentation: try RandomCrop(padding: 1), prefetch: false)
        var offsets = Set<[Int]>()
        for epoch in 0..<2 {
            for (batchIndex, batch) in collect(loader, epoch: epoch).enumerated() {
                XCTAssertEqual(batch.globalCount, batch.count)
                for (row, sample) in batch.indices.enumerated() {
                    var generator = loader.augmentationGenerator(epoch: epoch, batch: batchIndex, row: row)
                    let top = generator.nextIndex(below: 3), left = generator.nextIndex(below: 3)
                    offsets.insert([top, left])
                    let input = Array(dataset.images.scalars[(sample * 9)..<(sample * 9 + 9)])
                    let expected: [Float] = (0..<9).map { position in
                        let (y, x) = (position / 3 + top - 1, position % 3 + left - 1)
                        return (0..<3).contains(y) && (0..<3).contains(x) ? input[y * 3 + x] : 0
                    }
                    XCTAssertEqual(Array(batch.images.scalars[(row * 9)..<(row * 9 + 9)]), expected,
                                   "epoch \(epoch), batch \(batchIndex), row \(row): offsets (\(top), \(left))")
                }
            }
        }
        XCTAssertGreaterThan(offsets.count, 4, "the rows' generators draw different offsets")
    }

    /// The augmentation generator is a function of (seed, epoch, batch, row) that changes with each of them.
    func testTheAugmentationGeneratorDependsOnSeedEpochBatchAndRow() throws {
        let dataset = try indexed(count: 4)
        let loader = try DataLoader(dataset: dataset, batchSize: 2, seed: 3)
        let other = try DataLoader(dataset: dataset, batchSize: 2, seed: 4)
        let base = loader.augmentationGenerator(epoch: 1, batch: 2, row: 3)
        XCTAssertEqual(base, loader.augmentationGenerator(epoch: 1, batch: 2, row: 3))
        for changed in [other.augmentationGenerator(epoch: 1, batch: 2, row: 3), loader.augmentationGenerator(epoch: 0, batch: 2, row: 3),
                        loader.augmentationGenerator(epoch: 1, batch: 3, row: 3), loader.augmentationGenerator(epoch: 1, batch: 2, row: 2),
                        loader.augmentationGenerator(epoch: 2, batch: 1, row: 3), loader.augmentationGenerator(epoch: 1, batch: 3, row: 2)] {
            XCTAssertNotEqual(changed, base)
        }
    }

    /// Processes that each load only their rows of every batch (uneven parts, the last partial batch, empty parts)
    /// together hold exactly the batches of one process, augmentation included, whether they prefetch or not.
    func testTheShardsOfEveryBatchPutTogetherAreTheWholeBatch() throws {
        let dataset = try LabeledDataset(images: Tensor(shape: [45, 1, 4, 4], generator: { Float($0 % 16 + 1) + Float($0 / 16) }),
                                         labels: (0..<45).map { $0 % 5 }, classCount: 5)
        let augmentation = TransformPipeline([try RandomCrop(padding: 1), try RandomHorizontalFlip()])
        for prefetch in [false, true] {
            let loader = try DataLoader(dataset: dataset, batchSize: 8, seed: 2, augmentation: augmentation, prefetch: prefetch)
            for epoch in 0..<2 {
                let whole = collect(loader, epoch: epoch)
                XCTAssertEqual(whole.map(\.count), [8, 8, 8, 8, 8, 5])
                for ranks in [1, 2, 3, 4, 7] {
                    let parts = (0..<ranks).map { Array(loader.batches(epoch: epoch, from: 1, shard: BatchShard(rank: $0, of: ranks))) }
                    for (index, batch) in whole.enumerated().dropFirst() {
                        let rows = parts.map { $0[index - 1] }
                        XCTAssertEqual(rows.map(\.count), (0..<ranks).map { BatchShard(rank: $0, of: ranks).rows(of: batch.count).count })
                        XCTAssertTrue(rows.allSatisfy { $0.globalCount == batch.count })
                        XCTAssertEqual(rows.flatMap(\.indices), batch.indices, "\(ranks) ranks, batch \(index)")
                        XCTAssertEqual(rows.flatMap(\.labels), batch.labels)
                        XCTAssertEqual(rows.flatMap(\.images.scalars), batch.images.scalars, "\(ranks) ranks, epoch \(epoch), batch \(index)")
                    }
                }
            }
        }
    }

    func testInvalidArguments() throws {
        let dataset = try indexed(count: 4)
        XCTAssertThrowsError(try DataLoader(dataset: dataset, batchSize: 0))
        let rgb = try ChannelNormalization(mean: [0, 0, 0], standardDeviation: [1, 1, 1])
        XCTAssertThrowsError(try DataLoader(dataset: dataset, batchSize: 2, augmentation: rgb))
    }
}
