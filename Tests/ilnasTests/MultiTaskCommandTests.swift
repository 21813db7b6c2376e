import Foundation
@testable import ilnas
import TestSupport
import XCTest

/// `ilnas multitask`: the search and its two baselines on small data, their summaries, and its failures.
final class MultiTaskCommandTests: XCTestCase {
    private var directory: TemporaryDirectory!

    override func setUpWithError() throws {
        directory = try TemporaryDirectory(self)
    }

    private func run(_ arguments: [String], out name: String, trunk: [String] = ["--hidden", "24,12"], budget: Int = 4000,
                     epochs: Int = 2) throws
        -> MultiTaskSummary {
        let out = directory.file(name)
        try MultiTaskCommand.parse(arguments + trunk + ["--epochs", String(epochs), "--budget", String(budget), "--quiet", "--out", out]).run()
        return try JSONFile.decode(MultiTaskSummary.self, at: (out as NSString).appendingPathComponent("summary.json"))
    }

    /// Evaluates the saved networks of the run in `name` as `ilnas evaluate` does, on the data its `tasks.json` records,
    /// and checks that every task has the file, parameters and test accuracy the run reported, bit for bit.
    private func assertEvaluationReproduces(_ summary: MultiTaskSummary, out name: String, files: [String], data recorded: [String]? = nil,
                                            file: StaticString = #filePath, line: UInt = #line) throws {
        let folder = RunFolder(path: directory.file(name))
        let data = try JSONFile.decode(MultiTaskRunData.self, at: folder.multiTaskDataPath)
        XCTAssertEqual(data.tasks.map(\.data), recorded ?? summary.tasks.map { _ in "digits" }, file: file, line: line)
        let evaluation = try MultiTaskRunEvaluation(folder: folder, data: data, dataDirectories: [])
        XCTAssertEqual(evaluation.tasks.map(\.path), files.map { folder.file($0) }, file: file, line: line)
        XCTAssertEqual(evaluation.tasks.map(\.dataset), summary.tasks.map(\.dataset), file: file, line: line)
        XCTAssertEqual(evaluation.tasks.map(\.parameterCount), summary.tasks.map(\.parameterCount), file: file, line: line)
        XCTAssertEqual(evaluation.tasks.map(\.testAccuracy), summary.tasks.map(\.testAccuracy), file: file, line: line)
        XCTAssertEqual(evaluation.tasks.map(\.testLoss), summary.tasks.map(\.testLoss), file: file, line: line)
    }

    func testTheSearchWritesEachTasksCountAndAccuracyWithinTheBudget() throws {
        let summary = try run(["--data", "digits", "--data", "digits", "--shared", "0.333", "--seed", "4"], out: "search")
        XCTAssertEqual(summary.budget, 4000)
        XCTAssertEqual(summary.shared, 0.333)
        XCTAssertEqual(summary.baseline, "ilnas")
        XCTAssertEqual(summary.inputShape, [1, 8, 8])
        XCTAssertEqual(summary.trunk, .fc)
        XCTAssertEqual(summary.hidden, [24, 12])
        XCTAssertEqual(summary.augmentation, [.none, .none], "the digits are not augmented by default")
        XCTAssertEqual(summary.tasks.count, 2)
        XCTAssertLessThanOrEqual(summary.parameterCount, 4000)
        XCTAssertEqual(summary.parameterCount, summary.sharedParameterCount + summary.tasks.reduce(0) { $0 + $1.ownParameterCount })
        for task in summary.tasks {
            XCTAssertEqual(task.dataset, "sklearn-digits (embedded)")
            XCTAssertEqual(task.parameterCount, summary.sharedParameterCount + task.ownParameterCount)
            XCTAssertLessThanOrEqual(task.ownParameterCount, task.budget)
            XCTAssertGreaterThan(task.testAccuracy, 0.2, "better than chance after two epochs")
        }
        XCTAssertGreaterThan(summary.expansions, 0)
        let lines = try JSONFile.decodeLines(MultiTaskSummary.PartExpansion.self, at: directory.file("search/expansions.jsonl"))
        XCTAssertEqual(lines.count, summary.expansions)
        XCTAssertEqual(Set(lines.map(\.part)), ["shared", "task 0", "task 1"])
        try assertEvaluationReproduces(summary, out: "search", files: ["model.safetensors", "model.safetensors"])

        let again = try run(["--data", "digits", "--data", "digits", "--shared", "0.333", "--seed", "4"], out: "again")
        XCTAssertEqual(again.tasks.map(\.testAccuracy), summary.tasks.map(\.testAccuracy), "same seed, same result")
        XCTAssertEqual(again.tasks.map(\.ownParameterCount), summary.tasks.map(\.ownParameterCount))
    }

    func testTheBaselinesSplitTheBudgetOrShareEveryTrunkWeight() throws {
        let separate = try run(["--data", "digits", "--data", "digits", "--baseline", "separate"], out: "separate")
        XCTAssertEqual(separate.sharedParameterCount, 0)
        XCTAssertEqual(separate.shared, 0)
        XCTAssertEqual(separate.parameterCount, separate.tasks.reduce(0) { $0 + $1.parameterCount })
        for task in separate.tasks {
            XCTAssertLessThanOrEqual(task.parameterCount, 2000, "each network has half the budget")
            XCTAssertEqual(task.ownParameterCount, task.parameterCount)
            XCTAssertEqual(task.budget, 2000)
        }
        try assertEvaluationReproduces(separate, out: "separate", files: ["model-task0.safetensors", "model-task1.safetensors"])
        // A folder that held another layout's network before: the run's own record says which file is whose.
        let reused = try run(["--data", "digits", "--data", "digits", "--shared", "0.333"], out: "separate")
        try assertEvaluationReproduces(reused, out: "separate", files: ["model.safetensors", "model.safetensors"])

        let joint = try run(["--data", "digits", "--data", "digits", "--baseline", "joint"], out: "joint")
        XCTAssertEqual(joint.shared, 1)
        XCTAssertLessThanOrEqual(joint.parameterCount, 4000)
        for task in joint.tasks { XCTAssertEqual(task.ownParameterCount, 12 * 10 + 10, "a task owns its output layer only") }
        try assertEvaluationReproduces(joint, out: "joint", files: ["model.safetensors", "model.safetensors"])
        let lines = try JSONFile.decodeLines(MultiTaskSummary.PartExpansion.self, at: directory.file("joint/expansions.jsonl"))
        XCTAssertEqual(Set(lines.map(\.part)), ["shared"])
    }

    func testTheConvolutionalTrunkGrowsByKernelsWithinTheBudget() throws {
        let arguments = ["--data", "digits", "--data", "digits", "--shared", "0.2", "--granularity", "kernel", "--augment", "crop",
                         "--crop-padding", "1", "--seed", "3"]
        let trunk = ["--trunk", "conv", "--conv-channels", "8,16", "--batch-size", "16"]
        let summary = try run(arguments, out: "conv", trunk: trunk, budget: 1500, epochs: 1)
        XCTAssertEqual(summary.trunk, .conv)
        XCTAssertEqual(summary.convChannels, [8, 16])
        XCTAssertNil(summary.hidden)
        XCTAssertEqual(summary.augmentation, [Augmentation(cropPadding: 1, horizontalFlip: false), Augmentation(cropPadding: 1, horizontalFlip: false)])
        XCTAssertLessThanOrEqual(summary.parameterCount, 1500)
        XCTAssertEqual(summary.parameterCount, summary.sharedParameterCount + summary.tasks.reduce(0) { $0 + $1.ownParameterCount })
        for task in summary.tasks {
            XCTAssertLessThanOrEqual(task.ownParameterCount, task.budget)
            XCTAssertEqual((task.ownParameterCount - (16 * 10 + 10)) % 9, 0, "a task owns whole 3x3 kernels and its output layer")
            XCTAssertTrue((0...1).contains(task.testAccuracy) && task.testLoss.isFinite)
        }
        XCTAssertEqual((summary.sharedParameterCount - (8 + 16)) % 9, 0, "the shared part owns whole kernels and the biases")
        let lines = try JSONFile.decodeLines(MultiTaskSummary.PartExpansion.self, at: directory.file("conv/expansions.jsonl"))
        XCTAssertEqual(Set(lines.map(\.part)), ["shared", "task 0", "task 1"])
    }

    func testTasksOfOtherShapesAreResizedToTheLargest() throws {
        let folder = directory.file("idx")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let side = 12, train = 40
        let files = [
            ("train-images-idx3-ubyte", IDX.images((0..<(train * side * side)).map { UInt8(($0 * 7) % 256) }, count: train, height: side, width: side)),
            ("train-labels-idx1-ubyte", IDX.labels((0..<train).map { UInt8($0 % 10) })),
            ("t10k-images-idx3-ubyte", IDX.images((0..<(10 * side * side)).map { UInt8(($0 * 3) % 256) }, count: 10, height: side, width: side)),
            ("t10k-labels-idx1-ubyte", IDX.labels((0..<10).map { UInt8($0) })),
        ]
        for (file, bytes) in files {
            try Data(bytes).write(to: URL(fileURLWithPath: (folder as NSString).appendingPathComponent(file)))
        }
        let summary = try run(["--data", folder, "--data", "digits", "--train-limit", "300", "--batch-size", "20"], out: "mixed")
        XCTAssertEqual(summary.inputShape, [1, 12, 12])
        XCTAssertTrue(summary.tasks[0].dataset.contains(folder), summary.tasks[0].dataset)
        XCTAssertEqual(summary.tasks[1].dataset, "sklearn-digits (embedded)")
        try assertEvaluationReproduces(summary, out: "mixed", files: ["model.safetensors", "model.safetensors"], data: [folder, "digits"])
    }

    /// Runs `ilnas arguments` as a child process and checks that it failed with `status` and one line naming `texts`.
    private func assertFails(_ arguments: [String], status: Int32, saying texts: [String], line: UInt = #line) throws {
        let outcome = try ILNASExecutable().run(arguments, scratch: directory.path)
        let message = outcome.standardError
        XCTAssertTrue(outcome.exited, message, line: line)
        XCTAssertEqual(outcome.status, status, message, line: line)
        XCTAssertTrue(message.hasPrefix("Error: ") && message.filter(\.isNewline).count == 1, message, line: line)
        for text in texts { XCTAssertTrue(message.contains(text), "\"\(message)\" does not say \"\(text)\"", line: line) }
    }

    func testFailuresAreOneLineNamingTheOptionOrPath() throws {
        let out = directory.file("out")
        try assertFails(["multitask", "--data", "digits"], status: 64, saying: ["--data must be given at least twice", "ilnas multitask --help"])
        try assertFails(["multitask", "--data", "digits", "--data", "digits", "--shared", "1.5"], status: 64, saying: ["--shared must be in [0, 1]"])
        try assertFails(["multitask", "--data", "digits", "--data", "digits", "--hidden", "8,x"], status: 64, saying: ["--hidden"])
        try assertFails(["multitask", "--data", "digits", "--data", "digits", "--trunk", "conv", "--hidden", "8"], status: 64,
                        saying: ["--hidden is for --trunk fc"])
        try assertFails(["multitask", "--data", "digits", "--data", "digits", "--conv-channels", "8"], status: 64,
                        saying: ["--conv-channels is for --trunk conv"])
        try assertFails(["multitask", "--data", "digits", "--data", "digits", "--trunk", "conv", "--conv-channels", "8,0"], status: 64,
                        saying: ["--conv-channels must be positive"])
        try assertFails(["multitask", "--data", "digits", "--data", "digits", "--trunk", "conv", "--kernel-size", "4"], status: 64,
                        saying: ["--kernel-size must be odd"])
        try assertFails(["multitask", "--data", "digits", "--data", "digits", "--kernel-size", "5"], status: 64,
                        saying: ["--kernel-size is for --trunk conv"])
        try assertFails(["multitask", "--data", "digits", "--data", "digits", "--input-size", "5000"], status: 64,
                        saying: ["--input-size must be in 1...4096"])
        try assertFails(["multitask", "--data", "digits", "--data", "digits", "--expand-every", "1e-9"], status: 64,
                        saying: ["--expand-every must be in 0.001...4"])
        try assertFails(["multitask", "--data", "digits", "--data", "digits", "--expand-every", "5"], status: 64,
                        saying: ["--expand-every must be in 0.001...4"])
        try assertFails(["multitask", "--data", "digits", "--data", "digits", "--trunk", "conv", "--conv-channels", "4,4,4,4,4", "--out", out],
                        status: 1, saying: ["too small", "reductions"])
        let missing = directory.file("no-such-folder")
        try assertFails(["multitask", "--data", missing, "--data", "digits", "--out", out], status: 1, saying: [missing])
        try assertFails(["multitask", "--data", "digits", "--data", "digits", "--shared", "0", "--out", out], status: 1,
                        saying: ["--shared 0", "hidden biases"])
        try assertFails(["multitask", "--data", "digits", "--data", "digits", "--budget", "300", "--out", out], status: 1,
                        saying: ["budget of 300", "output layers"])

        _ = try run(["--data", "digits", "--data", "digits"], out: "evaluated", epochs: 1)
        let run = directory.file("evaluated")
        try assertFails(["evaluate", run, "--data", "digits"], status: 1, saying: ["\(run)/tasks.json", "2 tasks", "one --data per task"])
        try assertFails(["evaluate", run, "--engine", "compact"], status: 1, saying: ["multi-task run", "--engine masked"])
        try assertFails(["evaluate", run, "--logits", directory.file("logits.safetensors")], status: 1, saying: ["--logits is for single-task runs"])
        for command in ["report", "export"] {
            try assertFails([command, run], status: 1, saying: ["\(run) is an ilnas multitask run", "ilnas \(command) reads single-task runs"])
        }
        try FileManager.default.removeItem(atPath: (run as NSString).appendingPathComponent("model.safetensors"))
        try assertFails(["evaluate", run], status: 1, saying: ["\(run)/model.safetensors: cannot open the file"])
    }
}
