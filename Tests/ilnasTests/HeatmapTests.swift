import SVGCharts
import XCTest

/// A heatmap has one cell per row and column, placed on the grid and coloured by its share of the largest value.
final class HeatmapTests: XCTestCase {
    func testCellsArePlacedAndColouredFromTheirValues() throws {
        let heatmap = Heatmap(title: "added", rowLabels: ["r1", "r2"], columnLabels: ["1", "2", "3"], columnCaption: "epoch",
                              values: [[0, 5, 10], [2.5, 0, 10]], rowNotes: ["final: 9", ""], legendLabel: "parameters added")
        // Labels of 2 letters take 2 x 7.2 + 16 units; three columns get the widest cells, 48 units.
        XCTAssertEqual(heatmap.gridOrigin.x, 30.4, accuracy: 1e-9)
        XCTAssertEqual(heatmap.gridOrigin.y, 48)
        XCTAssertEqual(heatmap.cellWidth, 48)
        let document = try MarkupDocument(heatmap.svg())
        let cells = document.elements(named: "rect").filter { $0.attributes["height"] == "24" }
        XCTAssertEqual(cells.count, 6)
        XCTAssertEqual(cells.map { $0.attributes["x"]! }, ["30.4", "78.4", "126.4", "30.4", "78.4", "126.4"])
        XCTAssertEqual(cells.map { $0.attributes["y"]! }, ["48", "48", "48", "72", "72", "72"])
        // 0 is white; 10 of 10 the dark end #08306b; 5 and 2.5 half and a quarter of the way from #deebf7.
        XCTAssertEqual(cells.map { $0.attributes["fill"]! }, ["#ffffff", "#738eb1", "#08306b", "#a9bcd4", "#ffffff", "#08306b"])
        let texts = document.elements(named: "text").map(\.text)
        for text in ["r1", "r2", "1", "3", "epoch", "final: 9", "parameters added:", "2.5"] { XCTAssertTrue(texts.contains(text), text) }
    }

    func testNarrowCellsLabelEveryFewColumnsAndLeaveNumbersToTooltips() throws {
        let columns = (1...64).map(String.init)
        let heatmap = Heatmap(title: "t", rowLabels: ["r"], columnLabels: columns, columnCaption: "epoch",
                              values: [columns.indices.map(Double.init)], legendLabel: "v")
        XCTAssertEqual(heatmap.cellWidth, 12)
        let document = try MarkupDocument(heatmap.svg())
        XCTAssertEqual(document.elements(named: "rect").filter { $0.attributes["height"] == "24" }.count, 64)
        // 36 units between labels: every third column of 12 units.
        let columnLabels = document.elements(named: "text").filter { $0.attributes["y"] == "40" }.map(\.text)
        XCTAssertEqual(columnLabels, stride(from: 1, through: 64, by: 3).map(String.init))
        XCTAssertTrue(document.elements(named: "title").contains { $0.text == "r, epoch 64: 63" })
    }
}
