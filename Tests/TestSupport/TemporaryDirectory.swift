import Foundation
import XCTest

/// A fresh temporary directory, removed when the test ends.
public struct TemporaryDirectory {
    /// The directory's path.
    public let path: String

    /// Creates the directory and has `testCase` remove it, with its contents, when the test ends.
    public init(_ testCase: XCTestCase) throws {
        path = (NSTemporaryDirectory() as NSString).appendingPathComponent("\(type(of: testCase))-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let directory = path
        testCase.addTeardownBlock { try? FileManager.default.removeItem(atPath: directory) }
    }

    /// The path of `name` inside the directory.
    public func file(_ name: String) -> String {
        (path as NSString).appendingPathComponent(name)
    }

    /// The names of the files in the directory, sorted.
    public func contents() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: path).sorted()
    }
}
