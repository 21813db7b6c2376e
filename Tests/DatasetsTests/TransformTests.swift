import Datasets
import TensorCore
import XCTest

final class TransformTests: XCTestCase {
    /// The 3 x 3 image 1...9 (row-major), as a batch of one single-channel image.
    private let square = Tensor(shape: [1, 1, 3, 3], scalars: [1, 2, 3, 4, 5, 6, 7, 8, 9])

    /// The first seed whose generator draws (top, left) as its first two `nextIndex(below: span)` values.
    private func seed(drawing top: Int, _ left: Int, below span: Int) throws -> UInt64 {
        let found = (0..<UInt64(10_000)).first { seed in
            var generator = RandomGenerator(seed: seed)
            return generator.nextIndex(below: span) == top && generator.nextIndex(below: span) == left
        }
        return try XCTUnwrap(found)
    }

    func testCropWithPaddingShiftsPixelsAsDocumented() throws {
        let crop = try RandomCrop(padding: 1)
        // (top, left) in the padded 5 x 5 image -> expected 3 x 3 window.
        let cases: [((Int, Int), [Float])] = [
            ((1, 1), [1, 2, 3, 4, 5, 6, 7, 8, 9]),
            ((0, 2), [0, 0, 0, 2, 3, 0, 5, 6, 0]),
            ((2, 0), [0, 4, 5, 0, 7, 8, 0, 0, 0]),
            ((0, 0), [0, 0, 0, 0, 1, 2, 0, 4, 5]),
            ((2, 2), [5, 6, 0, 8, 9, 0, 0, 0, 0]),
        ]
        for ((top, left), expected) in cases {
            var generator = RandomGenerator(seed: try seed(drawing: top, left, below: 3))
            XCTAssertEqual(try crop.applied(to: square, using: &generator).scalars, expected, "top \(top), left \(left)")
        }
    }

    func testCropMovesAllChannelsTogetherAndShiftsOutCompletely() throws {
        let twoChannels = Tensor(shape: [1, 2, 2, 2], scalars: [1, 2, 3, 4, 10, 20, 30, 40])
        var generator = RandomGenerator(seed: try seed(drawing: 4, 1, below: 5))
        // padding 2, top 4: output row y shows input row y + 2, beyond a 2-row image, so all zero.
        XCTAssertEqual(try RandomCrop(padding: 2).applied(to: twoChannels, using: &generator).scalars, [Float](repeating: 0, count: 8))
        // padding 1, top 2, left 0: output[y][x] = input[y + 1][x - 1].
        generator = RandomGenerator(seed: try seed(drawing: 2, 0, below: 3))
        XCTAssertEqual(try RandomCrop(padding: 1).applied(to: twoChannels, using: &generator).scalars, [0, 3, 0, 0, 0, 30, 0, 0])
    }

    func testCropWithoutPaddingIsIdentityAndValidatesPadding() throws {
        var generator = RandomGenerator(seed: 5)
        let batch = Tensor(shape: [4, 2, 3, 3], generator: { Float($0) })
        XCTAssertEqual(try RandomCrop(padding: 0).applied(to: batch, using: &generator), batch)
        XCTAssertThrowsError(try RandomCrop(padding: -1))
    }

    func testCropIsDeterministicAndDrawsPerImage() throws {
        let batch = Tensor(shape: [8, 1, 5, 5], generator: { Float($0 % 25 + 1) })
        let crop = try RandomCrop(padding: 2)
        var first = RandomGenerator(seed: 9), second = RandomGenerator(seed: 9)
        let a = try crop.applied(to: batch, using: &first), b = try crop.applied(to: batch, using: &second)
        XCTAssertEqual(a, b)
        XCTAssertEqual(first, second)
        let images = (0..<8).map { Array(a.scalars[($0 * 25)..<($0 * 25 + 25)]) }
        XCTAssertGreaterThan(Set(images).count, 1, "images of one batch get different shifts")
    }

    func testFlipReversesEveryRowOfEveryChannel() throws {
        let batch = Tensor(shape: [2, 2, 2, 3], generator: { Float($0) })
        var generator = RandomGenerator(seed: 1)
        let flipped = try RandomHorizontalFlip(probability: 1).applied(to: batch, using: &generator)
        XCTAssertEqual(flipped.scalars, [2, 1, 0, 5, 4, 3, 8, 7, 6, 11, 10, 9, 14, 13, 12, 17, 16, 15, 20, 19, 18, 23, 22, 21])
        XCTAssertEqual(try RandomHorizontalFlip(probability: 0).applied(to: batch, using: &generator), batch)
        XCTAssertThrowsError(try RandomHorizontalFlip(probability: 1.5))
    }

    func testFlipDecidesPerImageFromOneDrawEach() throws {
        let batch = Tensor(shape: [64, 1, 1, 2], generator: { Float($0 % 2) })
        var generator = RandomGenerator(seed: 3), replay = RandomGenerator(seed: 3)
        let flipped = try RandomHorizontalFlip(probability: 0.5).applied(to: batch, using: &generator)
        for image in 0..<64 {
            let expected: [Float] = replay.nextUnitFloat() < 0.5 ? [1, 0] : [0, 1]
            XCTAssertEqual(Array(flipped.scalars[(image * 2)..<(image * 2 + 2)]), expected)
        }
        XCTAssertEqual(generator, replay)
    }

    func testNormalisationByHand() throws {
        let batch = Tensor(shape: [1, 2, 1, 2], scalars: [1, 3, 2, 10])
        let normalization = try ChannelNormalization(mean: [1, 2], standardDeviation: [2, 4])
        var generator = RandomGenerator(seed: 0)
        XCTAssertEqual(try normalization.applied(to: batch, using: &generator).scalars, [0, 1, 0, 2])
        XCTAssertEqual(generator, RandomGenerator(seed: 0), "normalisation draws no random numbers")
        XCTAssertThrowsError(try normalization.applied(to: Tensor(zeros: [1, 3, 1, 2]), using: &generator))
        XCTAssertThrowsError(try normalization.applied(to: Tensor(zeros: [2, 1, 2]), using: &generator))
        XCTAssertThrowsError(try ChannelNormalization(mean: [0], standardDeviation: [0]))
        XCTAssertThrowsError(try ChannelNormalization(mean: [0, 1], standardDeviation: [1]))
        XCTAssertThrowsError(try ChannelNormalization(mean: [.nan], standardDeviation: [1]))
    }

    func testChannelStatisticsByHand() throws {
        // Channel 0 holds 1, 3 (image 0) and 5, 7 (image 1): mean 4, variance (9 + 1 + 1 + 9) / 4 = 5.
        // Channel 1 holds 2 everywhere: mean 2, deviation 0.
        let images = Tensor(shape: [2, 2, 1, 2], scalars: [1, 3, 2, 2, 5, 7, 2, 2])
        let statistics = try ChannelStatistics(of: images)
        XCTAssertEqual(statistics.mean, [4, 2])
        XCTAssertEqual(statistics.standardDeviation, [Float(5).squareRoot(), 0])
        XCTAssertThrowsError(try ChannelNormalization(statistics), "a constant channel cannot be standardised")
        XCTAssertThrowsError(try ChannelStatistics(of: Tensor(zeros: [0, 1, 2, 2])))
    }

    func testNormalisingWithOwnStatisticsGivesZeroMeanUnitDeviation() throws {
        var generator = RandomGenerator(seed: 11)
        let images = generator.uniformTensor(shape: [16, 3, 4, 4], low: 0, high: 1)
        let normalized = try ChannelNormalization(ChannelStatistics(of: images)).applied(to: images, using: &generator)
        let statistics = try ChannelStatistics(of: normalized)
        for channel in 0..<3 {
            XCTAssertEqual(statistics.mean[channel], 0, accuracy: 1e-5)
            XCTAssertEqual(statistics.standardDeviation[channel], 1, accuracy: 1e-5)
        }
    }

    func testPipelineAppliesInOrderAndValidatesAll() throws {
        let pipeline = TransformPipeline([try RandomHorizontalFlip(probability: 1),
                                          try ChannelNormalization(mean: [1], standardDeviation: [2])])
        var generator = RandomGenerator(seed: 0)
        XCTAssertEqual(try pipeline.applied(to: Tensor(shape: [1, 1, 1, 3], scalars: [1, 3, 5]), using: &generator).scalars, [2, 1, 0])
        XCTAssertThrowsError(try pipeline.validate(sampleShape: [2, 1, 3]))
        XCTAssertNoThrow(try pipeline.validate(sampleShape: [1, 8, 8]))
    }
}
