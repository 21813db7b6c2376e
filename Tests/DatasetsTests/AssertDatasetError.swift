import Datasets
import XCTest

extension XCTestCase {
    /// Checks that `expression` throws a `DatasetError` whose message names `file` and contains `text`.
    func assertThrows<T>(_ expression: @autoclosure () throws -> T, naming file: String, mentioning text: String,
                         sourceFile: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try expression(), file: sourceFile, line: line) { error in
            let message = String(describing: error)
            XCTAssertTrue(error is DatasetError, "unexpected error type: \(error)", file: sourceFile, line: line)
            XCTAssertTrue(message.contains(file), "\"\(message)\" does not name \(file)", file: sourceFile, line: line)
            XCTAssertTrue(message.contains(text), "\"\(message)\" does not say \"\(text)\"", file: sourceFile, line: line)
        }
    }

    /// Deletes the file `name` of `fixtures` and checks that `load()` then fails, naming its path as not found.
    func assertLoad<T>(_ load: @autoclosure () throws -> T, failsWithout name: String, in fixtures: Fixtures,
                       sourceFile: StaticString = #filePath, line: UInt = #line) throws {
        try fixtures.remove(name)
        assertThrows(try load(), naming: fixtures.path(name), mentioning: "not found", sourceFile: sourceFile, line: line)
    }
}
