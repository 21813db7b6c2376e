import ArchitectureSearch
import Datasets
import Foundation
import NeuralNetwork
import Serialization
import TensorCore
import TestSupport
import Training
import XCTest

/// A search checkpointed at any moment (inside an epoch, right after an expansion, at an epoch's end), read back into
/// fresh objects and continued, ends with the same architecture, weights, masks and optimizer state, bit for bit, as
/// the search that never stopped; a damaged or inconsistent checkpoint is refused with the file and the fault.
final class SearchCheckpointTests: XCTestCase {
    /// What the tests record as the run's settings.
    private struct Settings: Codable, Equatable {
        var name: String
        var seed: UInt64
    }

    private let settings = Settings(name: "checkpoint test", seed: 7)
    private var directory: TemporaryDirectory!
    private let epochs = 4

    override func setUpWithError() throws {
        directory = try TemporaryDirectory(self)
    }

    /// 48 images [2, 6, 6] of 3 classes in 6 shuffled, randomly shifted batches per epoch.
    private func trainingData() throws -> DataLoader {
        let batches = SearchFixtures.batches(inputShape: [2, 6, 6], classes: 3, count: 6, batchSize: 8, seed: 11)
        let images = Tensor(shape: [48, 2, 6, 6], scalars: batches.flatMap(\.inputs.scalars))
        let dataset = try LabeledDataset(images: images, labels: batches.flatMap(\.labels), classCount: 3)
        return try DataLoader(dataset: dataset, batchSize: 8, seed: 3, augmentation: try RandomCrop(padding: 1))
    }

    /// A search of `network`: SGD with Nesterov momentum, warm-up and cosine decay, clipping, and an expansion every
    /// half epoch for the first three epochs; `callbacks` come after the expansion's.
    private func search(_ network: GrowingNetwork, selection: ArchitectureOptimizer.Selection, plateau: GradientPlateau?,
                        data: DataLoader, callbacks: [TrainingCallback] = []) throws -> (loop: TrainingLoop, expansion: ExpansionCallback) {
        let budget = try SearchBudget(parameters: 3_000)
        let expansion = ExpansionCallback(
            space: network, optimizer: try ArchitectureOptimizer(budget: budget, selection: selection, seed: 5),
            granularity: try TopDownGranularity(parsing: "kernel,weight"),
            schedule: try ExpansionSchedule(interval: 0.5, plateau: plateau, frozenFraction: 0.25), scoringData: data)
        let schedule = try CosineAnnealingSchedule(initialRate: 0.05, length: Double(epochs)).withLinearWarmup(length: 1)
        let loop = TrainingLoop(model: network, optimizer: try SGD(learningRate: 0.05, momentum: 0.9, nesterov: true, weightDecay: 5e-4),
                                schedule: schedule, callbacks: [expansion] + callbacks)
        loop.maximumGradientNorm = 5
        return (loop, expansion)
    }

    /// Writes a checkpoint after the steps `steps` (once the expansion callback has acted) and at the end of the
    /// epochs `epochEnds` (0-based), named after where it was taken.
    private final class CheckpointTaker: TrainingCallback {
        let steps: Set<Int>, epochEnds: Set<Int>
        let folder: TemporaryDirectory
        let settings: Settings
        var network: GrowingNetwork?
        var expansion: ExpansionCallback?
        private(set) var files: [String] = []

        init(steps: Set<Int>, epochEnds: Set<Int>, folder: TemporaryDirectory, settings: Settings) {
            self.steps = steps
            self.epochEnds = epochEnds
            self.folder = folder
            self.settings = settings
        }

        func handle(_ event: TrainingEvent, loop: TrainingLoop) throws {
            let name: String
            switch event {
            case let .batchEnd(report) where steps.contains(report.globalStep): name = "step-\(report.globalStep)"
            case let .epochEnd(report) where epochEnds.contains(report.epoch): name = "epoch-\(report.epoch + 1)"
            default: return
            }
            let file = folder.file("\(name).safetensors")
            try SearchCheckpoint(settings: settings, network: try XCTUnwrap(network), loop: loop, expansion: expansion).write(toFile: file)
            files.append(file)
        }
    }

    /// Every tensor of `network` (weights, masks, optimizer buffers) and its structure, generator states included,
    /// as the bytes of one safetensors file: equal bytes, equal bits.
    private func fingerprint(_ network: GrowingNetwork) throws -> Data {
        var contents = try network.safetensorsContents(for: "fingerprint")
        contents.tensors.merge(OptimizerStateTensors.tensors(of: network.parameters)) { _, new in new }
        return try contents.encoded()
    }

    /// What a search has done and will do, without the seconds it took.
    private struct TimelessState: Equatable {
        var records: [ExpansionRecord]
        var nextExpansion: Double, initialArchitectureLearningRate: Double
        var budgetExhausted: Bool
        var plateau: GradientPlateau?
    }

    private func timeless(_ state: ExpansionCallback.State) -> TimelessState {
        let records = state.records.map { record -> ExpansionRecord in
            var record = record
            record.seconds = 0
            return record
        }
        return TimelessState(records: records, nextExpansion: state.nextExpansion,
                             initialArchitectureLearningRate: state.initialArchitectureLearningRate,
                             budgetExhausted: state.budgetExhausted, plateau: state.plateau)
    }

    /// Runs the search uninterrupted while taking checkpoints, then resumes each checkpoint in fresh objects and
    /// compares the ends.
    private func assertResumesExactly(selection: ArchitectureOptimizer.Selection, plateau: GradientPlateau?,
                                      file: StaticString = #filePath, line: UInt = #line) throws {
        let data = try trainingData()
        let taker = CheckpointTaker(steps: [3, 8, 12], epochEnds: [1], folder: directory, settings: settings)
        let network = try SearchFixtures.convolutionalNetwork()
        let reference = try search(network, selection: selection, plateau: plateau, data: data, callbacks: [taker])
        taker.network = network
        taker.expansion = reference.expansion
        try reference.loop.fit(train: data, test: nil, epochs: epochs)
        XCTAssertEqual(data.batchCount, 6, file: file, line: line)
        XCTAssertTrue(reference.expansion.records.contains { $0.step == 3 }, "step 3 is right after an expansion", file: file, line: line)
        XCTAssertGreaterThan(reference.expansion.records.count, 3, file: file, line: line)
        XCTAssertEqual(taker.files.map { ($0 as NSString).lastPathComponent },
                       ["step-3.safetensors", "step-8.safetensors", "step-12.safetensors", "epoch-2.safetensors"], file: file, line: line)

        for checkpointFile in taker.files {
            let checkpoint = try SearchCheckpoint<Settings>(contentsOfFile: checkpointFile)
            XCTAssertEqual(checkpoint.settings, settings, file: file, line: line)
            let resumed = try search(checkpoint.network, selection: selection, plateau: plateau, data: data)
            try checkpoint.restore(resumed.loop, expansion: resumed.expansion)
            try resumed.loop.fit(train: data, test: nil, epochs: epochs)

            let name = (checkpointFile as NSString).lastPathComponent
            XCTAssertEqual(try fingerprint(checkpoint.network), try fingerprint(network), "resumed from \(name)", file: file, line: line)
            XCTAssertEqual(ArchitectureDescription(checkpoint.network), ArchitectureDescription(network), name, file: file, line: line)
            XCTAssertEqual(timeless(resumed.expansion.state), timeless(reference.expansion.state), name, file: file, line: line)
            XCTAssertEqual(resumed.loop.history.map(\.withoutTimings), reference.loop.history.map(\.withoutTimings), name, file: file, line: line)
            XCTAssertEqual(resumed.loop.globalStep, 24, name, file: file, line: line)
        }
    }

    func testAGradientSearchResumedFromAnyCheckpointEndsBitForBitAsTheUninterruptedOne() throws {
        try assertResumesExactly(selection: .gradient, plateau: nil)
    }

    /// Random growth draws from the architecture optimizer's generator and the plateau detector keeps gradient norms:
    /// both are part of the checkpoint.
    func testRandomGrowthWithPlateausResumesExactly() throws {
        try assertResumesExactly(selection: .random, plateau: try GradientPlateau(window: 2, tolerance: 0.5))
    }

    // MARK: Refused files

    /// A checkpoint of the fixture network after 8 steps of search.
    private func checkpointFile() throws -> String {
        let data = try trainingData()
        let network = try SearchFixtures.convolutionalNetwork()
        let run = try search(network, selection: .gradient, plateau: nil, data: data)
        run.loop.stopRequest = { run.loop.globalStep == 8 }
        XCTAssertThrowsError(try run.loop.fit(train: data, test: nil, epochs: epochs))
        let path = directory.file("checkpoint.safetensors")
        try SearchCheckpoint(settings: settings, network: network, loop: run.loop, expansion: run.expansion).write(toFile: path)
        return path
    }

    /// The checkpoint at `path` with its contents changed by `change` and its checksum made to match again: a file
    /// that is intact but wrong.
    private func rewritten(_ path: String, _ change: (inout SafetensorsFile) throws -> Void) throws -> String {
        var contents = try SafetensorsFile(contentsOfFile: path)
        try change(&contents)
        let rewritten = directory.file("rewritten.safetensors")
        try contents.checksummed(under: "crc32c").write(toFile: rewritten)
        return rewritten
    }

    /// The checkpoint at `path` with its description JSON changed by `change`, checksum matching.
    private func rewrittenDescription(_ path: String, _ change: (inout [String: Any]) throws -> Void) throws -> String {
        try rewritten(path) { contents in
            var description = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(XCTUnwrap(contents.metadata["checkpoint"]).utf8)) as? [String: Any])
            try change(&description)
            contents.metadata["checkpoint"] = String(decoding: try JSONSerialization.data(withJSONObject: description), as: UTF8.self)
        }
    }

    private func assertRefused(_ path: String, saying expected: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try SearchCheckpoint<Settings>(contentsOfFile: path), file: file, line: line) { error in
            XCTAssertEqual("\(error)", "\(path): \(expected)", file: file, line: line)
        }
    }

    func testADamagedCheckpointIsRefusedNamingTheFile() throws {
        let path = try checkpointFile()
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let truncated = directory.file("truncated.safetensors")
        try bytes.prefix(bytes.count - 100).write(to: URL(fileURLWithPath: truncated))
        XCTAssertThrowsError(try SearchCheckpoint<Settings>(contentsOfFile: truncated)) { error in
            XCTAssertTrue(error is SafetensorsError, "\(error)")
            XCTAssertTrue("\(error)".hasPrefix("\(truncated): "), "\(error)")
        }
        let dataStart = 8 + bytes.prefix(8).reversed().reduce(0) { $0 << 8 | Int($1) }
        for offset in [dataStart + 1, bytes.count - 3] {   // in the first tensor and in the last
            var flipped = bytes
            flipped[offset] ^= 0x10
            let damaged = directory.file("flipped.safetensors")
            try flipped.write(to: URL(fileURLWithPath: damaged))
            XCTAssertThrowsError(try SearchCheckpoint<Settings>(contentsOfFile: damaged)) { error in
                XCTAssertTrue("\(error)".hasPrefix("\(damaged): the contents do not match their checksum"), "\(error)")
            }
        }
        let model = directory.file("model.safetensors")
        try SearchFixtures.convolutionalNetwork().write(toFile: model)
        assertRefused(model, saying: "not a checkpoint: its metadata has no checkpoint description")
    }

    func testAnIntactButWrongCheckpointIsRefusedSayingWhatIsWrong() throws {
        let path = try checkpointFile()
        let checkpoint = try SearchCheckpoint<Settings>(contentsOfFile: path)
        let momentum = try XCTUnwrap(OptimizerStateTensors.tensors(of: checkpoint.network.parameters).keys.sorted().first)
        let weight = checkpoint.network.edges[0].weight.name

        assertRefused(try rewrittenDescription(path) { $0["formatVersion"] = 2 },
                      saying: "checkpoint format version 2, but this build reads its own version only")
        assertRefused(try rewritten(path) { $0.tensors[momentum] = nil }, saying: "tensor \"\(momentum)\": missing: the checkpoint lists it")
        let shape = try XCTUnwrap(checkpoint.network.parameters.first { $0.name == weight }).shape
        assertRefused(try rewritten(path) { $0.tensors[weight] = StoredTensor(Tensor(zeros: [1] + shape)) },
                      saying: "tensor \"\(weight)\": shape \([1] + shape), the structure needs \(shape)")
        assertRefused(try rewrittenDescription(path) { description in
            var progress = try XCTUnwrap(description["progress"] as? [String: Any])
            progress["epoch"] = 3
            description["progress"] = progress
        }, saying: "invalid checkpoint: progress: 1 epoch reports for 3 finished epochs")
        assertRefused(try rewrittenDescription(path) { $0["progress"] = nil },
                      saying: "invalid checkpoint: the key \"progress\" is missing")
        assertRefused(try rewrittenDescription(path) { description in
            var search = try XCTUnwrap(description["search"] as? [String: Any])
            search["selectionGeneratorState"] = ["0", "0"]
            description["search"] = search
        }, saying: "invalid checkpoint: search.selectionGeneratorState [\"0\", \"0\"] is not four words of 16 hexadecimal digits, not all zero")
    }

    /// A run that has diverged has nothing worth saving: the checkpoint is refused before anything is written.
    func testWeightsThatAreNotFiniteAreNotCheckpointed() throws {
        let network = try SearchFixtures.convolutionalNetwork()
        let run = try search(network, selection: .gradient, plateau: nil, data: try trainingData())
        let weight = network.edges[1].weight
        weight.value[flat: 0] = .infinity
        let path = directory.file("diverged.safetensors")
        XCTAssertThrowsError(try SearchCheckpoint(settings: settings, network: network, loop: run.loop, expansion: run.expansion).write(toFile: path)) { error in
            XCTAssertEqual("\(error)", "\(path): tensor \"\(weight.name)\": holds NaN or infinite values: training has diverged")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
    }

    func testACheckpointRestoresOnlyTheObjectsOfItsOwnNetwork() throws {
        let checkpoint = try SearchCheckpoint<Settings>(contentsOfFile: try checkpointFile())
        let data = try trainingData()
        let other = try search(try SearchFixtures.convolutionalNetwork(), selection: .gradient, plateau: nil, data: data)
        XCTAssertThrowsError(try checkpoint.restore(other.loop, expansion: other.expansion)) { error in
            XCTAssertEqual("\(error)", "\(SearchError.invalidSetting("the checkpoint's network is not the training loop's model"))")
        }
        let own = try search(checkpoint.network, selection: .gradient, plateau: nil, data: data)
        XCTAssertThrowsError(try checkpoint.restore(own.loop, expansion: nil))
        XCTAssertEqual(own.loop.globalStep, 0, "nothing restored")
        try checkpoint.restore(own.loop, expansion: own.expansion)
        XCTAssertEqual(own.loop.globalStep, 8)
    }
}
