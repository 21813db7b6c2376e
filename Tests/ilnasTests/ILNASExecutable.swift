import Foundation
import XCTest

/// The built `ilnas` executable, run as a child process as a user runs it: its exit status and what it printed.
struct ILNASExecutable {
    /// What one run of the executable did.
    struct Outcome {
        /// Whether the process exited (rather than being killed by a signal: a trap, an abort).
        let exited: Bool
        /// The exit status, or the signal's number when the process did not exit.
        let status: Int32
        let standardOutput: String
        let standardError: String
    }

    /// The executable, which SwiftPM builds beside the test bundle.
    let url: URL

    /// Finds the executable in the build products folder of the running tests.
    init() throws {
        let products = try XCTUnwrap(Bundle.main.executableURL, "no test executable").deletingLastPathComponent()
        let candidate = products.appendingPathComponent("ilnas")
        url = try XCTUnwrap(FileManager.default.isExecutableFile(atPath: candidate.path) ? candidate : nil,
                            "no ilnas executable at \(candidate.path)")
    }

    /// Runs the executable with `arguments`; its output goes to files in `scratch` (a test's temporary folder),
    /// so that no pipe fills up.
    func run(_ arguments: [String], scratch: String) throws -> Outcome {
        let name = UUID().uuidString
        let outputPath = (scratch as NSString).appendingPathComponent("\(name).stdout")
        let errorPath = (scratch as NSString).appendingPathComponent("\(name).stderr")
        try Data().write(to: URL(fileURLWithPath: outputPath))
        try Data().write(to: URL(fileURLWithPath: errorPath))
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errorPath))
        try process.run()
        process.waitUntilExit()
        defer {
            try? FileManager.default.removeItem(atPath: outputPath)
            try? FileManager.default.removeItem(atPath: errorPath)
        }
        return Outcome(exited: process.terminationReason == .exit, status: process.terminationStatus,
                       standardOutput: try text(of: outputPath), standardError: try text(of: errorPath))
    }

    /// The contents of the file at `path` as UTF-8 text. Read through a file handle: `String(contentsOfFile:)` leaks
    /// its 4 KB buffer when the file is empty (swift-foundation of Swift 6.3, found by LeakSanitizer).
    private func text(of path: String) throws -> String {
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        return String(decoding: try handle.readToEnd() ?? Data(), as: UTF8.self)
    }
}
