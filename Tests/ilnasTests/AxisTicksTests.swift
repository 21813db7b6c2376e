import SVGCharts
import XCTest

/// Tick steps are 1, 2 or 5 times a power of ten, the range starts and ends on a tick, and labels are short.
final class AxisTicksTests: XCTestCase {
    func testTwelveEpochsGetEveryOtherEpoch() {
        let ticks = AxisTicks(covering: 1, 12, count: 6)
        XCTAssertEqual(ticks, AxisTicks(covering: 0, 12, count: 6))
        XCTAssertEqual(ticks.values, [0, 2, 4, 6, 8, 10, 12])
        XCTAssertEqual(ticks.values.map(ticks.label), ["0", "2", "4", "6", "8", "10", "12"])
    }

    func testFractionsGetTheDecimalsOfTheirStep() {
        let ticks = AxisTicks(covering: 0.03, 0.87)
        XCTAssertEqual(ticks.step, 0.2, accuracy: 1e-12)
        XCTAssertEqual(ticks.values.map(ticks.label), ["0", "0.2", "0.4", "0.6", "0.8", "1"])
        let quarters = AxisTicks(covering: 0, 1.1, count: 4)
        XCTAssertEqual(quarters.step, 0.5)
        XCTAssertEqual(quarters.values.map(quarters.label), ["0", "0.5", "1", "1.5"])
    }

    func testLargeCountsAreWrittenInThousands() {
        let ticks = AxisTicks(covering: 2_888, 20_000)
        XCTAssertEqual(ticks.values, [0, 5_000, 10_000, 15_000, 20_000])
        XCTAssertEqual(ticks.values.map(ticks.label), ["0", "5k", "10k", "15k", "20k"])
        let millions = AxisTicks(covering: 0, 25_000_000)
        XCTAssertEqual(millions.values.map(millions.label), ["0", "5M", "10M", "15M", "20M", "25M"])
    }

    func testASingleValueGetsARangeAroundIt() {
        let constant = AxisTicks(covering: 19_991, 19_991)
        XCTAssertEqual(constant.lower, 17_000)
        XCTAssertEqual(constant.upper, 22_000)
        XCTAssertEqual(AxisTicks(covering: 0, 0).values, [-1, -0.5, 0, 0.5, 1])
        XCTAssertEqual(AxisTicks(covering: .nan, 3).values, AxisTicks(covering: 0, 1).values)
    }
}
