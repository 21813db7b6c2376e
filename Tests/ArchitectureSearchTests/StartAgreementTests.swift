@testable import ArchitectureSearch
import Datasets
import TensorCore
import Training
import XCTest

/// Before the first step (and after a resume) the ranks of a data-parallel search compare their configuration,
/// architecture, weights and data order and position, and stop naming what differs.
final class StartAgreementTests: XCTestCase {
    /// One of two ranks: its `allAgree` compares each value with the other rank's value of the same call.
    private final class RankBesidePeer: Communicator {
        let peer: [UInt64]
        private var calls = 0
        init(peer: [UInt64]) { self.peer = peer }
        var rank: Int { 0 }
        var size: Int { 2 }
        func allReduceSum(_ values: UnsafeMutableBufferPointer<Float>) throws { XCTFail("no sum expected") }
        func allReduceSum(_ values: UnsafeMutableBufferPointer<Double>) throws { XCTFail("no sum expected") }
        func allAgree(on value: UInt64) throws -> Bool {
            defer { calls += 1 }
            return value == peer[calls]
        }
    }

    private struct Options: Codable { var learningRate: Double }

    private func loader(seed: UInt64, pixelNudged: Bool = false) throws -> DataLoader {
        var images = Tensor(shape: [10, 2, 6, 6], generator: { Float($0 % 7) })
        if pixelNudged { images[flat: 9 * 72 + 40] = images[flat: 9 * 72 + 40].nextUp }
        return try DataLoader(dataset: try LabeledDataset(images: images, labels: (0..<10).map { $0 % 3 }, classCount: 3),
                              batchSize: 4, seed: seed)
    }

    private func agreement(options: Options = Options(learningRate: 0.1), network: GrowingNetwork? = nil, loaderSeed: UInt64 = 1,
                           pixelNudged: Bool = false, progress: TrainingProgress = TrainingProgress()) throws -> StartAgreement {
        try StartAgreement(configuration: options, space: try network ?? SearchFixtures.convolutionalNetwork(),
                           train: try loader(seed: loaderSeed, pixelNudged: pixelNudged), progress: progress, expansion: nil)
    }

    /// The parts that a rank holding `mine` finds different from a rank holding `peer`, through the check's error.
    private func differingParts(_ mine: StartAgreement, _ peer: StartAgreement) throws -> [String] {
        do {
            try mine.check(across: RankBesidePeer(peer: peer.parts.map(\.hash)))
            return []
        } catch let SearchError.ranksDisagreeAtStart(parts, _, ranks) {
            XCTAssertEqual(ranks, 2)
            return parts
        }
    }

    func testRanksStartingAlikeAgree() throws {
        let base = try agreement()
        XCTAssertEqual(base, try agreement(), "the hashes are the same in every process and run")
        XCTAssertEqual(try differingParts(base, try agreement()), [])
        try base.check(across: SingleProcess())
    }

    /// The hashes must be the same in processes on different machines, so they are FNV-1a, pinned here to its
    /// published test vectors (a hash seeded per process would pass every comparison made within one process).
    func testTheHashIsFNV1a() {
        var hash = StableHash()
        XCTAssertEqual(hash.value, 0xcbf2_9ce4_8422_2325)
        hash.mix(UInt8(ascii: "a"))
        XCTAssertEqual(hash.value, 0xaf63_dc4c_8601_ec8c)
        var foobar = StableHash()
        foobar.mix(bytes: Array("foobar".utf8))
        XCTAssertEqual(foobar.value, 0x8594_4171_f739_67e8)
    }

    func testEachDifferenceIsFoundAndNamed() throws {
        let base = try agreement()
        XCTAssertEqual(try differingParts(base, try agreement(options: Options(learningRate: 0.2))), ["configuration"])
        XCTAssertEqual(try differingParts(base, try agreement(loaderSeed: 2)), ["training data"])
        XCTAssertEqual(try differingParts(base, try agreement(pixelNudged: true)), ["training data"],
                       "one pixel of the last image one ulp apart (another file, or another normalisation)")
        var resumed = TrainingProgress()
        resumed.batch = 1
        resumed.globalStep = 1
        XCTAssertEqual(try differingParts(base, try agreement(progress: resumed)), ["position in training"])

        let nudged = try SearchFixtures.convolutionalNetwork()
        let parameter = try XCTUnwrap(nudged.network.parameters.first)
        parameter.value[flat: 0] = parameter.value[flat: 0].nextUp
        XCTAssertEqual(try differingParts(base, try agreement(network: nudged)), ["weights"], "one weight one ulp apart")

        let grown = try SearchFixtures.convolutionalNetwork()
        let unit = try XCTUnwrap(KernelGranularity().allUnits(in: grown).first { grown.cost(of: $0) > 0 })
        try grown.add(unit)
        grown.finishAdding()
        XCTAssertTrue(try differingParts(base, try agreement(network: grown)).contains("architecture"))
    }

    /// Every image of a small dataset is hashed; of a large one, 256 evenly spaced from the first.
    func testTheSampledImagesSpanTheDataset() {
        XCTAssertEqual(StartAgreement.sampledImages(count: 3), [0, 1, 2])
        let sampled = StartAgreement.sampledImages(count: 60_000)
        XCTAssertEqual(sampled.count, 256)
        XCTAssertEqual(sampled.first, 0)
        XCTAssertEqual(sampled.last, 255 * 60_000 / 256)
        XCTAssertEqual(Set(sampled).count, 256)
        XCTAssertEqual(StartAgreement.sampledImages(count: 257).count, 256)
    }

    func testTheErrorSaysWhatDiffersAndWhen() {
        let atStart = SearchError.ranksDisagreeAtStart(parts: ["weights", "training data"], completedSteps: 0, ranks: 3).description
        XCTAssertTrue(atStart.contains("3 processes differ at the start in their weights, training data"), atStart)
        let resumed = SearchError.ranksDisagreeAtStart(parts: ["configuration"], completedSteps: 40, ranks: 2).description
        XCTAssertTrue(resumed.contains("when resuming after step 40 in their configuration"), resumed)
    }
}
