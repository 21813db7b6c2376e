import SVGCharts
import XCTest

final class NumberTextTests: XCTestCase {
    func testIntegersAreGroupedInThrees() {
        XCTAssertEqual(NumberText.grouped(0), "0")
        XCTAssertEqual(NumberText.grouped(999), "999")
        XCTAssertEqual(NumberText.grouped(20_000), "20,000")
        XCTAssertEqual(NumberText.grouped(-1_234_567), "-1,234,567")
    }

    func testFractionsAndTrimmedDecimals() {
        XCTAssertEqual(NumberText.percent(0.966573), "96.66%")
        XCTAssertEqual(NumberText.percent(1, decimals: 1), "100.0%")
        XCTAssertEqual(NumberText.trimmed(198.50, decimals: 2), "198.5")
        XCTAssertEqual(NumberText.trimmed(64, decimals: 2), "64")
        XCTAssertEqual(NumberText.trimmed(-0.001, decimals: 2), "0")
        XCTAssertEqual(NumberText.fixed(2.0403, decimals: 2), "2.04")
    }
}
