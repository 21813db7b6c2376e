import SVGCharts
import XCTest

final class BarChartTests: XCTestCase {
    func testBarsStartAtZeroAndEndAtTheirHandComputedLength() throws {
        let chart = BarChart(title: "Parameters", axisLabel: "parameters", bars: [
            .init(label: "alpha", value: 10, valueText: "10.0"), .init(label: "gamma", value: 25, valueText: "25.0"),
        ], width: 440)
        // Labels of 5 letters take 5 x 6.6 + 16 units on the left; values of 4 letters 4 x 6.6 + 12 on the right.
        XCTAssertEqual(chart.plotArea.left, 49, accuracy: 1e-9)
        XCTAssertEqual(chart.plotArea.width, 352.6, accuracy: 1e-9)
        XCTAssertEqual(chart.ticks.values, [0, 5, 10, 15, 20, 25])
        let bars = try MarkupDocument(chart.svg()).elements(named: "rect")
        XCTAssertEqual(bars.map { $0.attributes["x"] }, ["49", "49"])
        XCTAssertEqual(bars.map { $0.attributes["width"] }, ["141.04", "352.6"])  // 10/25 and 25/25 of 352.6
        XCTAssertEqual(bars.map { $0.attributes["y"] }, ["40", "66"])              // 32 + 8, then 18 + 8 further down
        XCTAssertEqual(bars.map { $0.attributes["fill"] }, [ChartPalette.color(0), ChartPalette.color(1)])
        let texts = try MarkupDocument(chart.svg()).elements(named: "text").map(\.text)
        for text in ["alpha", "gamma", "10.0", "25.0", "Parameters"] { XCTAssertTrue(texts.contains(text), text) }
    }
}
