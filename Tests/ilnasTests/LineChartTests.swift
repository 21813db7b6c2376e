import SVGCharts
import XCTest

/// The dots and lines of a line chart stand where the data puts them on its axes.
final class LineChartTests: XCTestCase {
    func testPointsAreDrawnAtTheirHandComputedCoordinates() throws {
        let chart = LineChart(title: "t", xLabel: "epoch", yLabel: "loss",
                              series: [.init(name: "s", points: [.init(x: 0, y: 0), .init(x: 1, y: 1), .init(x: 2, y: 4)])],
                              width: 480, height: 300)
        // 64 left, 16 right, 38 + 18 for the title and one legend row above, 48 below.
        XCTAssertEqual(chart.plotArea, PlotArea(left: 64, top: 56, width: 400, height: 196))
        // x: 0...2 in steps of 0.5 over 400 units; y: 0...4 in steps of 1 over 196 units, upwards.
        XCTAssertEqual(chart.xTicks.values, [0, 0.5, 1, 1.5, 2])
        XCTAssertEqual(chart.yTicks.values, [0, 1, 2, 3, 4])
        let document = try MarkupDocument(chart.svg())
        let dots = document.elements(named: "circle").map { [$0.attributes["cx"], $0.attributes["cy"]] }
        XCTAssertEqual(dots, [["64", "252"], ["264", "203"], ["464", "56"]])
        XCTAssertEqual(document.elements(named: "polyline").map { $0.attributes["points"] }, ["64,252 264,203 464,56"])
        let labels = document.elements(named: "text").map(\.text)
        for label in ["0", "0.5", "1.5", "4", "epoch", "loss", "s", "t"] { XCTAssertTrue(labels.contains(label), label) }
        XCTAssertEqual(document.elements(named: "svg").first?.attributes["class"], "line-chart")
    }

    func testEverySeriesHasADotPerFinitePointAndItsOwnColour() throws {
        let chart = LineChart(title: "accuracy", xLabel: "epoch", yLabel: "%", series: [
            .init(name: "train", points: [.init(x: 1, y: 50), .init(x: 2, y: .nan), .init(x: 3, y: 90)]),
            .init(name: "test", points: [.init(x: 1, y: 40), .init(x: 2, y: 60), .init(x: 3, y: 80)]),
        ], yIncludesZero: false)
        let dots = try MarkupDocument(chart.svg()).elements(named: "circle")
        XCTAssertEqual(dots.count, 5)
        XCTAssertEqual(dots.map { $0.attributes["fill"]! }, [ChartPalette.color(0), ChartPalette.color(0)] + Array(repeating: ChartPalette.color(1), count: 3))
        XCTAssertEqual(chart.yTicks.lower, 40)
    }

    func testManySeriesWrapTheLegendAndLowerThePlot() {
        let names = (1...6).map { "seed-\($0) (ilnas)" }
        let chart = LineChart(title: "t", xLabel: "x", yLabel: "y", series: names.map { .init(name: $0, points: [.init(x: 0, y: 0)]) },
                              width: 640, height: 360)
        // An entry of 14 letters takes 18 + 14 x 6.6 units and 16 to the next: four fit between 64 and 624.
        XCTAssertEqual(chart.plotArea.top, 38 + 18 * 2)
        XCTAssertEqual(chart.plotArea.bottom, 360 - 48)
    }
}
