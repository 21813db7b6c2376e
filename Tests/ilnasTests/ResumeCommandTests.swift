import ArchitectureSearch
import ArgumentParser
import Foundation
@testable import ilnas
import Serialization
import TensorCore
import TestSupport
import Training
import XCTest

/// `ilnas search` writes `config.json` and checkpoints; `ilnas resume` continues from the newest checkpoint that reads
/// back and ends with the model, byte for byte, of the run that was never interrupted, whether the run was stopped by
/// SIGTERM, killed, or its newest checkpoint was damaged; a diverging run ends with an error naming the step and leaves
/// its checkpoints as they were.
final class ResumeCommandTests: XCTestCase {
    private var directory: TemporaryDirectory!
    /// A short search on the digits that still expands several times: 23 steps per epoch, a small budget.
    private static let shortSearch = ["--budget", "5000", "--batch-size", "64", "--expand-every", "0.5", "--frozen-fraction", "0.2", "--quiet"]

    override func setUpWithError() throws {
        directory = try TemporaryDirectory(self)
    }

    /// The folder of a 3-epoch search run once for the in-process tests, which copy it.
    private static let reference: Result<String, Error> = Result {
        let folder = (NSTemporaryDirectory() as NSString).appendingPathComponent("ResumeCommandTests-reference-\(UUID().uuidString)")
        try SearchCommand.parse(shortSearch + ["--epochs", "3", "--out", folder]).run()
        return folder
    }

    override class func tearDown() {
        if case let .success(folder) = reference { try? FileManager.default.removeItem(atPath: folder) }
        super.tearDown()
    }

    private func contents(_ path: String) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: path))
    }

    /// The progress right after `epochs` epochs, which names their checkpoint.
    private func afterEpochs(_ epochs: Int) -> TrainingProgress {
        var progress = TrainingProgress()
        progress.epoch = epochs
        return progress
    }

    /// A copy of the reference run as if it had been killed after `epochs` epochs: later checkpoints and the final
    /// files removed.
    private func interruptedCopy(afterEpochs epochs: Int) throws -> String {
        let copy = directory.file("interrupted")
        try FileManager.default.copyItem(atPath: try Self.reference.get(), toPath: copy)
        let checkpoints = RunFolder(path: copy).checkpoints
        for file in try checkpoints.files() where file != checkpoints.file(for: afterEpochs(epochs)) {
            try FileManager.default.removeItem(atPath: file)
        }
        for name in ["model.safetensors", "summary.json"] { try FileManager.default.removeItem(atPath: (copy as NSString).appendingPathComponent(name)) }
        return copy
    }

    /// Requires the final files of `run` to be those of the reference: the model byte for byte, the architecture, the
    /// epochs and the expansions but for their timings.
    private func assertSameEnd(_ run: String, as reference: String, file: StaticString = #filePath, line: UInt = #line) throws {
        func path(_ folder: String, _ name: String) -> String { (folder as NSString).appendingPathComponent(name) }
        XCTAssertEqual(try contents(path(run, "model.safetensors")), try contents(path(reference, "model.safetensors")),
                       "model.safetensors", file: file, line: line)
        XCTAssertEqual(try contents(path(run, "architecture.json")), try contents(path(reference, "architecture.json")), file: file, line: line)
        func lines<T: Decodable>(_ folder: String, _ name: String, as type: T.Type) throws -> [T] {
            try String(decoding: contents(path(folder, name)), as: UTF8.self).split(separator: "\n").map { try JSONDecoder().decode(T.self, from: Data($0.utf8)) }
        }
        XCTAssertEqual(try lines(run, "epochs.jsonl", as: EpochReport.self).map(\.withoutTimings),
                       try lines(reference, "epochs.jsonl", as: EpochReport.self).map(\.withoutTimings), file: file, line: line)
        func timeless(_ record: ExpansionRecord) -> ExpansionRecord {
            var record = record
            record.seconds = 0
            return record
        }
        XCTAssertEqual(try lines(run, "expansions.jsonl", as: ExpansionRecord.self).map(timeless),
                       try lines(reference, "expansions.jsonl", as: ExpansionRecord.self).map(timeless), file: file, line: line)
    }

    func testASearchRecordsItsResolvedOptionsAndKeepsTheNewestTwoCheckpoints() throws {
        let folder = RunFolder(path: try Self.reference.get())
        let configuration = try RunConfiguration(folder: folder)
        XCTAssertEqual(configuration.version, ILNASCommand.version)
        XCTAssertEqual(configuration.blasKernels, BLASKernels.coreName)
        XCTAssertEqual(configuration.directKernels, try KernelPath.current().rawValue)
        XCTAssertEqual(configuration.machine.cores, System.coreCount)
        let options = configuration.options
        XCTAssertNil(options.data)
        XCTAssertEqual([options.budget, options.epochs, options.batchSize, options.threads, options.checkpointEvery, options.trials],
                       [5000, 3, 64, ComputeThreads.count, 1, 1])
        XCTAssertEqual(options.expandEvery, 0.5)
        XCTAssertEqual(options.learningRate, 0.05)
        XCTAssertNotNil(options.computeBudget, "the default, 1x the fixed network's, is counted")
        XCTAssertNil(options.architectureLearningRate, "chosen when training starts, and kept in the checkpoints")

        let checkpoints = folder.checkpoints
        XCTAssertEqual(try checkpoints.files(), [checkpoints.file(for: afterEpochs(3)), checkpoints.file(for: afterEpochs(2))])
        let final = try SearchCheckpoint<SearchOptions>(contentsOfFile: checkpoints.file(for: afterEpochs(3)))
        XCTAssertEqual(final.settings, options)
        XCTAssertEqual(final.progress.history.count, 3)
        XCTAssertEqual(try contents(folder.modelPath), try final.network.safetensorsContents(for: folder.modelPath).encoded())
    }

    /// Newest first: by finished epochs, then by steps into the next one; other files in the folder are not checkpoints.
    func testCheckpointsAreOrderedByWhereTheyWereTaken() throws {
        let checkpoints = CheckpointFolder(path: directory.file("checkpoints"))
        XCTAssertEqual(try checkpoints.files(), [], "no folder yet")
        try FileManager.default.createDirectory(atPath: checkpoints.path, withIntermediateDirectories: true)
        let names = ["epoch-2.safetensors", "epoch-10.safetensors", "epoch-2-batch-17.safetensors", "epoch-2-batch-5.safetensors",
                     "epoch-3.safetensors.rejected", "epoch-x.safetensors", "notes.txt", "epoch-1.safetensors"]
        for name in names { XCTAssertTrue(FileManager.default.createFile(atPath: directory.file("checkpoints/\(name)"), contents: nil)) }
        XCTAssertEqual(try checkpoints.files().map { ($0 as NSString).lastPathComponent },
                       ["epoch-10.safetensors", "epoch-2-batch-17.safetensors", "epoch-2-batch-5.safetensors", "epoch-2.safetensors",
                        "epoch-1.safetensors"])
        var progress = afterEpochs(2)
        progress.batch = 5
        XCTAssertEqual(checkpoints.file(for: progress), directory.file("checkpoints/epoch-2-batch-5.safetensors"))
        try checkpoints.removeAll()
        XCTAssertFalse(FileManager.default.fileExists(atPath: checkpoints.path))
    }

    func testResumingAfterAnEpochEndsWithTheModelOfTheUninterruptedRun() throws {
        let run = try interruptedCopy(afterEpochs: 2)
        try ResumeCommand.parse([run, "--quiet"]).run()
        try assertSameEnd(run, as: try Self.reference.get())
    }

    /// A torn or bit-flipped newest checkpoint is renamed aside with a message, and the run resumes from the one before.
    func testADamagedNewestCheckpointIsSkippedForThePreviousOne() throws {
        for damage in ["truncated", "flipped"] {
            let run = try interruptedCopy(afterEpochs: 2)
            let checkpoints = RunFolder(path: run).checkpoints
            let newest = checkpoints.file(for: afterEpochs(3))
            var bytes = try contents(try Self.reference.get() + "/checkpoints/epoch-3.safetensors")
            if damage == "truncated" { bytes = bytes.prefix(bytes.count / 2) } else { bytes[bytes.count - 5] ^= 0x01 }
            try bytes.write(to: URL(fileURLWithPath: newest))

            try ResumeCommand.parse([run, "--quiet"]).run()
            try assertSameEnd(run, as: try Self.reference.get())
            XCTAssertTrue(FileManager.default.fileExists(atPath: newest + ".rejected"), damage)
            XCTAssertEqual(try checkpoints.files(), [newest, checkpoints.file(for: afterEpochs(2))], damage)
            try FileManager.default.removeItem(atPath: run)
        }
    }

    /// A kill during a checkpoint write leaves the temporary file of that write and no checkpoint of that moment: resume
    /// removes the temporary file and continues from the checkpoint before.
    func testAKillDuringACheckpointWriteLeavesATemporaryFileThatResumeRemoves() throws {
        let run = try interruptedCopy(afterEpochs: 2)
        let checkpoints = RunFolder(path: run).checkpoints
        let torn = (checkpoints.path as NSString).appendingPathComponent(".epoch-3.safetensors.\(UUID().uuidString).tmp")
        let bytes = try contents(try Self.reference.get() + "/checkpoints/epoch-3.safetensors")
        try bytes.prefix(bytes.count / 3).write(to: URL(fileURLWithPath: torn))
        XCTAssertEqual(try checkpoints.interruptedWrites(), [torn])

        try ResumeCommand.parse([run, "--quiet"]).run()
        try assertSameEnd(run, as: try Self.reference.get())
        XCTAssertFalse(FileManager.default.fileExists(atPath: torn))
        XCTAssertEqual(try checkpoints.files(), [checkpoints.file(for: afterEpochs(3)), checkpoints.file(for: afterEpochs(2))])
    }

    /// `--learning-rate 1e9` used to end in a JSON error about NaN: now the step whose loss is not finite is named,
    /// with exit status 1, and no checkpoint of diverged weights is written.
    func testADivergingSearchNamesTheStepAndWritesNoCheckpoint() throws {
        let folder = directory.file("diverged")
        XCTAssertThrowsError(try SearchCommand.parse(Self.shortSearch + ["--epochs", "3", "--learning-rate", "1e9", "--out", folder]).run()) { error in
            let message = ILNASCommand.message(for: error)
            XCTAssertTrue(message.hasPrefix("training diverged: the loss of step "), message)
            XCTAssertTrue(message.contains("(epoch 1, batch "), message)
            XCTAssertEqual(ILNASCommand.exitCode(for: error), .failure)
        }
        XCTAssertEqual(try RunFolder(path: folder).checkpoints.files(), [])
    }

    /// A resumed run that diverges at once (its output bias made NaN) fails naming the step and leaves the checkpoint
    /// it resumed from as it was: the last good one stays.
    func testAResumedRunThatDivergesLeavesItsCheckpointAsItWas() throws {
        let run = try interruptedCopy(afterEpochs: 2)
        let file = RunFolder(path: run).checkpoints.file(for: afterEpochs(2))
        let bias = try XCTUnwrap(SearchCheckpoint<SearchOptions>(contentsOfFile: file).network.outputNode?.bias?.name)
        var checkpoint = try SafetensorsFile(contentsOfFile: file)
        let shape = try XCTUnwrap(checkpoint.tensors[bias]).shape
        checkpoint.tensors[bias] = StoredTensor(Tensor(shape: shape, scalars: [Float](repeating: .nan, count: shape.reduce(1, *))))
        try checkpoint.checksummed(under: "crc32c").write(toFile: file)
        let saved = try contents(file)

        XCTAssertThrowsError(try ResumeCommand.parse([run, "--quiet"]).run()) { error in
            XCTAssertTrue(ILNASCommand.message(for: error).hasPrefix("training diverged: the loss of step 47 (epoch 3, batch 1) is nan"),
                          ILNASCommand.message(for: error))
            XCTAssertEqual(ILNASCommand.exitCode(for: error), .failure)
        }
        XCTAssertEqual(try RunFolder(path: run).checkpoints.files(), [file])
        XCTAssertEqual(try contents(file), saved)
    }

    // MARK: The program, stopped and killed

    /// The `ilnas` program this test suite was built with, next to the test bundle.
    private var program: URL {
        get throws {
            let url = Bundle.main.bundleURL.appendingPathComponent("ilnas")
            guard FileManager.default.isExecutableFile(atPath: url.path) else {
                throw CommandFailure(message: "no ilnas program at \(url.path): build it with the tests")
            }
            return url
        }
    }

    /// Starts `ilnas arguments` with its standard error going to the file `errors`.
    private func start(_ arguments: [String], errors: String) throws -> Process {
        let process = Process()
        process.executableURL = try program
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        XCTAssertTrue(FileManager.default.createFile(atPath: errors, contents: nil), errors)
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errors))
        try process.run()
        return process
    }

    /// Waits until `path` exists (written atomically, so complete), or fails after a minute.
    private func waitFor(_ path: String, while process: Process) throws {
        let deadline = Date(timeIntervalSinceNow: 60)
        while !FileManager.default.fileExists(atPath: path) {
            guard process.isRunning, Date() < deadline else { throw CommandFailure(message: "\(path) never appeared") }
            usleep(10_000)
        }
    }

    /// Waits until the file at `path` is replaced (its inode changes: ``AtomicFile`` renames a new file over it) or grows
    /// (a log appends a line), or fails after a minute.
    private func waitForChange(of path: String, while process: Process) throws {
        func identity() -> [Int?] {
            let attributes = try? FileManager.default.attributesOfItem(atPath: path)
            return [attributes?[.systemFileNumber] as? Int, (attributes?[.size] as? NSNumber)?.intValue]
        }
        let before = identity(), deadline = Date(timeIntervalSinceNow: 60)
        while identity() == before {
            guard process.isRunning, Date() < deadline else { throw CommandFailure(message: "\(path) never changed") }
            usleep(1_000)
        }
    }

    /// One uninterrupted search by the program, then the same search stopped four ways after a checkpoint exists:
    /// SIGKILL at once, SIGKILL inside a later epoch, SIGKILL as an expansion is being logged (the audit file changes),
    /// SIGTERM (exit status 143, a checkpoint of that very step). Each is resumed by the program and must end with the
    /// same model, byte for byte.
    func testKilledAndTerminatedSearchesResumeToTheModelOfTheUninterruptedOne() throws {
        let search = ["search"] + Self.shortSearch + ["--epochs", "4", "--threads", "2"]
        let reference = directory.file("reference")
        let uninterrupted = try start(search + ["--out", reference], errors: directory.file("reference.err"))
        uninterrupted.waitUntilExit()
        XCTAssertEqual(uninterrupted.terminationStatus, 0)

        let stops: [(name: String, signal: Int32, after: String, delay: useconds_t, atExpansion: Bool)] = [
            ("SIGKILL after the first checkpoint", SIGKILL, "epoch-1.safetensors", 0, false),
            ("SIGKILL inside the third epoch", SIGKILL, "epoch-2.safetensors", 300_000, false),
            ("SIGKILL at an expansion", SIGKILL, "epoch-1.safetensors", 0, true),
            ("SIGTERM", SIGTERM, "epoch-1.safetensors", 200_000, false),
        ]
        for (index, stop) in stops.enumerated() {
            let run = directory.file("run-\(index)"), errors = directory.file("run-\(index).err")
            let process = try start(search + ["--out", run], errors: errors)
            try waitFor((run as NSString).appendingPathComponent("checkpoints/\(stop.after)"), while: process)
            if stop.atExpansion { try waitForChange(of: (run as NSString).appendingPathComponent("expansions.jsonl"), while: process) }
            usleep(stop.delay)
            kill(process.processIdentifier, stop.signal)
            process.waitUntilExit()
            let checkpoints = try RunFolder(path: run).checkpoints.files()
            if stop.signal == SIGKILL {
                XCTAssertEqual(process.terminationReason, .uncaughtSignal, stop.name)
            } else {
                XCTAssertEqual(process.terminationReason, .exit, stop.name)
                XCTAssertEqual(process.terminationStatus, 143, stop.name)
                let message = try String(contentsOfFile: errors, encoding: .utf8)
                XCTAssertTrue(message.hasPrefix("stopped by SIGTERM at step "), message)
                XCTAssertTrue(message.contains("checkpoint: \(checkpoints.first ?? "?"); continue with: ilnas resume \(run)"), message)
                XCTAssertNotEqual(checkpoints.first.map { ($0 as NSString).lastPathComponent }, stop.after, "a checkpoint of the step it stopped at")
            }
            XCTAssertFalse(FileManager.default.fileExists(atPath: (run as NSString).appendingPathComponent("model.safetensors")), stop.name)

            let resumed = try start(["resume", run, "--quiet"], errors: errors)
            resumed.waitUntilExit()
            XCTAssertEqual(resumed.terminationStatus, 0, "\(stop.name): \((try? String(contentsOfFile: errors, encoding: .utf8)) ?? "")")
            try assertSameEnd(run, as: reference)
        }
    }
}
