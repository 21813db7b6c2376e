import Foundation
import TestSupport
import XCTest

/// `ilnas search` writing into a file system that fills up during the run: a one-line error naming the file that
/// could not be written, exit status 1, and the files of an earlier run in the folder left as they were (every file
/// is replaced atomically: the earlier model survives the failed replacement). The file system is a 200 KB tmpfs, which needs root; the test is skipped where `mount`
/// is refused.
final class FullDiskTests: XCTestCase {
    /// Mounts a tmpfs of `size` on a new folder of `directory`, unmounted when the test ends.
    private func mountSmallFileSystem(in directory: TemporaryDirectory, size: String) throws -> String {
        let mountPoint = directory.file("small")
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        guard try run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(size)", "tmpfs", mountPoint]) == 0 else {
            throw XCTSkip("cannot mount a tmpfs on \(mountPoint) here (it needs root)")
        }
        addTeardownBlock { [self] in _ = try? run("/bin/umount", [mountPoint]) }
        return mountPoint
    }

    private func run(_ executable: String, _ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// The bytes still free for files on the file system that holds `path`.
    private func freeBytes(at path: String) throws -> Int {
        var status = statvfs()
        XCTAssertEqual(statvfs(path, &status), 0)
        return Int(status.f_bavail) * Int(status.f_frsize)
    }

    func testAFullDiskEndsTheRunWithOneLineAndKeepsTheEarlierFiles() throws {
        let directory = try TemporaryDirectory(self)
        let small = try mountSmallFileSystem(in: directory, size: "200k")
        let run = (small as NSString).appendingPathComponent("run")
        try FileManager.default.createDirectory(atPath: run, withIntermediateDirectories: true)
        let earlier = ["summary.json": "{\"testAccuracy\": 0.5}\n", "model.safetensors": "the earlier model"]
        for (name, contents) in earlier {
            try Data(contents.utf8).write(to: URL(fileURLWithPath: (run as NSString).appendingPathComponent(name)))
        }
        // 16 KB stay free: room for the small logs, not for a checkpoint or the final network (40 KB and more).
        let filler = try freeBytes(at: small) - 16 * 1024
        try Data(count: filler).write(to: URL(fileURLWithPath: (small as NSString).appendingPathComponent("filler")))

        let outcome = try ILNASExecutable().run(["search", "--epochs", "1", "--quiet", "--out", run], scratch: directory.path)
        XCTAssertTrue(outcome.exited, outcome.standardError)
        XCTAssertEqual(outcome.status, 1, outcome.standardError)
        XCTAssertTrue(outcome.standardError.hasPrefix("Error: \(run)/"), outcome.standardError)   // a checkpoint or the model
        XCTAssertTrue(outcome.standardError.hasSuffix(": No space left on device\n"), outcome.standardError)
        XCTAssertEqual(outcome.standardError.filter(\.isNewline).count, 1, outcome.standardError)
        for (name, contents) in earlier {
            XCTAssertEqual(try String(contentsOfFile: (run as NSString).appendingPathComponent(name), encoding: .utf8), contents, name)
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: run).filter { $0.hasSuffix(".tmp") }
        XCTAssertEqual(leftovers, [], "temporary files left behind")
    }
}
