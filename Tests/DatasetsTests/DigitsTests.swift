import Datasets
import TensorCore
import XCTest

final class DigitsTests: XCTestCase {
    func testEmbeddedCopyHasTheDocumentedContents() throws {
        let digits = try Digits.loadEmbedded()
        XCTAssertEqual(digits.count, 1797)
        XCTAssertEqual(digits.images.shape, [1797, 1, 8, 8])
        XCTAssertEqual(digits.classCount, 10)
        XCTAssertEqual(digits.classCounts(), [178, 182, 177, 183, 181, 182, 181, 179, 174, 180])
        XCTAssertEqual(digits.images.scalars.min(), 0)
        XCTAssertEqual(digits.images.scalars.max(), 1)
        // First row of the file: 0,0,5,13,9,1,0,0,... label 0.
        XCTAssertEqual(Array(digits.images.scalars[0..<8]), [0, 0, 5, 13, 9, 1, 0, 0].map { Float($0) / 16 })
        XCTAssertEqual(Array(digits.labels.prefix(10)), Array(0..<10))
    }

    func testEmbeddedSplitIsDeterministic() throws {
        let digits = try Digits.loadEmbedded()
        let first = try digits.split(testFraction: 0.25, seed: 7)
        let second = try digits.split(testFraction: 0.25, seed: 7)
        XCTAssertEqual(first.test, second.test)
        XCTAssertEqual(first.train.count + first.test.count, 1797)
        XCTAssertEqual(first.test.classCounts(), [178, 182, 177, 183, 181, 182, 181, 179, 174, 180].map {
            Int((Double($0) * 0.25).rounded())
        })
    }

    /// Two rows of 65 fields: pixels 0..15 repeated then 16 for row one, all 16 for row two.
    private let rows: [[Int]] = [
        (0..<64).map { $0 % 16 } + [3],
        [Int](repeating: 16, count: 64) + [9],
    ]

    private func csv(_ rows: [[Int]], lineEnd: String = "\n") -> [UInt8] {
        Array(rows.map { $0.map(String.init).joined(separator: ",") }.joined(separator: lineEnd).utf8) + Array(lineEnd.utf8)
    }

    func testLoadsRawAndGzippedFiles() throws {
        let fixtures = try Fixtures(self)
        for path in [try fixtures.writeRaw("d.csv", csv(rows)), try fixtures.writeGzip("d.csv.gz", csv(rows)),
                     try fixtures.writeRaw("crlf.csv", csv(rows, lineEnd: "\r\n"))] {
            let digits = try Digits.load(path: path)
            XCTAssertEqual(digits.images.shape, [2, 1, 8, 8])
            XCTAssertEqual(digits.labels, [3, 9])
            XCTAssertEqual(digits.images[0, 0, 1, 7], 15 / 16)
            XCTAssertEqual(digits.images[1, 0, 7, 7], 1)
        }
        let unterminated = try fixtures.writeRaw("no-final-newline.csv", Array(csv(rows).dropLast()))
        XCTAssertEqual(try Digits.load(path: unterminated).labels, [3, 9])
    }

    func testInvalidFilesNameTheFileAndLine() throws {
        let fixtures = try Fixtures(self)
        let cases: [(name: String, bytes: [UInt8], message: String)] = [
            ("short-row.csv", csv([rows[0], Array(rows[1].dropLast())]), "line 2 has 64 fields, expected 65"),
            ("long-row.csv", csv([rows[0] + [1]]), "line 1 has more than 65 fields"),
            ("pixel.csv", csv([[17] + rows[0].dropFirst()]), "line 1, field 1: 17 exceeds 16"),
            ("label.csv", csv([rows[0], Array(rows[1].dropLast()) + [10]]), "line 2: label 10 is not below the class count 10"),
            ("text.csv", Array("1.5,".utf8) + csv([Array(rows[0].dropFirst())]), "line 1, field 1 is not a non-negative integer"),
            ("negative.csv", Array("-1,".utf8) + csv([Array(rows[0].dropFirst())]), "not a non-negative integer"),
            ("blank-line.csv", csv(rows) + Array("\n".utf8), "line 3, field 1 is empty"),
            ("empty.csv", [], "no rows"),
        ]
        for (name, bytes, message) in cases {
            let path = try fixtures.writeRaw(name, bytes)
            XCTAssertThrowsError(try Digits.load(path: path), name) { error in
                let text = String(describing: error)
                XCTAssertTrue(text.contains(name) && text.contains(message), "\(name): \(text)")
            }
        }
        XCTAssertThrowsError(try Digits.load(path: fixtures.path("absent.csv.gz"))) { error in
            XCTAssertEqual(error as? DatasetError, .missingFile(path: fixtures.path("absent.csv.gz")))
        }
    }
}
