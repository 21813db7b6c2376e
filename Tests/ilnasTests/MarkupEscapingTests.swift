import SVGCharts
import XCTest

/// Text that holds markup characters stays text in HTML and SVG.
final class MarkupEscapingTests: XCTestCase {
    func testEveryMarkupCharacterBecomesAReference() {
        XCTAssertEqual("<a&b>\"x\"'y'".markupEscaped, "&lt;a&amp;b&gt;&quot;x&quot;&#39;y&#39;")
        XCTAssertEqual("plain 1->3 α".markupEscaped, "plain 1-&gt;3 α")
    }

    func testAChartTitledWithMarkupIsWellFormedAndShowsTheTitle() throws {
        let title = "<a&b> \"run\""
        let chart = LineChart(title: title, xLabel: "x", yLabel: "y", series: [.init(name: "</svg>", points: [.init(x: 0, y: 1)])])
        let document = try MarkupDocument(chart.svg())
        XCTAssertEqual(document.elements(named: "svg").first?.attributes["aria-label"], title)
        XCTAssertEqual(document.elements(named: "title").first?.text, title)
        XCTAssertTrue(document.elements(named: "text").contains { $0.text == "</svg>" })
    }
}
