import ExperimentSupport
import Foundation
import XCTest

/// The runner against a stand-in `ilnas` (a shell script that logs its arguments and writes a summary), so that
/// which command it runs when (reuse, resume, a fresh run) is checked without training anything.
final class ILNASRunnerTests: XCTestCase {
    private var folder: URL!
    private var calls: URL { folder.appendingPathComponent("calls.txt") }

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("ilnas-runner-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let script = folder.appendingPathComponent("ilnas")
        try """
            #!/bin/sh
            echo "$*" >> "\(calls.path)"
            case "$1" in
                search) out="$4" ;;
                resume) out="$3" ;;
                *) exit 2 ;;
            esac
            mkdir -p "$out"
            printf '%s' '{"testAccuracy":0.5,"parameterCount":7,"budget":9,"epochs":1,"wallSeconds":1,"trainingSeconds":1,\
            "baseline":"ilnas","dataset":"digits","blasKernels":"x","expansions":0}' > "$out/summary.json"
            """.write(to: script, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    private func loggedCalls() throws -> [String] {
        guard FileManager.default.fileExists(atPath: calls.path) else { return [] }
        return try String(contentsOf: calls, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    /// Leaves the run `name` as a kill during training would: no summary, and a checkpoint when `checkpoint`.
    private func interrupt(_ runner: ILNASRunner, _ name: String, checkpoint: Bool) throws {
        let run = runner.folder(name)
        try FileManager.default.removeItem(at: run.appendingPathComponent("summary.json"))
        if checkpoint {
            try FileManager.default.createDirectory(at: run.appendingPathComponent("checkpoints"), withIntermediateDirectories: true)
            try Data([1]).write(to: run.appendingPathComponent("checkpoints/epoch-3.safetensors"))
        }
    }

    func testFinishedRunsAreReusedAndInterruptedOnesResumed() throws {
        let runs = folder.appendingPathComponent("runs")
        let runner = try ILNASRunner(executable: folder.appendingPathComponent("ilnas"), runs: runs, threads: nil)
        let out = runner.folder("a").path

        XCTAssertEqual(try runner.search("a", ["--budget", "9"]).parameterCount, 7)
        XCTAssertEqual(try loggedCalls(), ["search --quiet --out \(out) --budget 9"])
        _ = try runner.search("a", ["--budget", "9"])
        XCTAssertEqual(try loggedCalls().count, 1, "a finished run with the same arguments is reused")

        try interrupt(runner, "a", checkpoint: true)
        _ = try runner.search("a", ["--budget", "9"])
        XCTAssertEqual(try loggedCalls().last, "resume --quiet \(out)", "an interrupted run with a checkpoint is continued")

        try interrupt(runner, "a", checkpoint: true)
        _ = try runner.search("a", ["--budget", "10"])
        XCTAssertEqual(try loggedCalls().last, "search --quiet --out \(out) --budget 10", "other arguments: a new run")
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + "/checkpoints"), "the old run's checkpoints are gone")

        try interrupt(runner, "a", checkpoint: false)
        _ = try runner.search("a", ["--budget", "10"])
        XCTAssertEqual(try loggedCalls().last, "search --quiet --out \(out) --budget 10", "no checkpoint: started again")
        XCTAssertEqual(try loggedCalls().count, 4)
    }

    func testAMissingExecutableIsNamed() {
        XCTAssertThrowsError(try ILNASRunner(executable: folder.appendingPathComponent("absent"), runs: folder, threads: nil)) { error in
            XCTAssertTrue("\(error)".contains("absent"), "\(error)")
        }
    }
}
