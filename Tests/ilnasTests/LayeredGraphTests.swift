import SVGCharts
import XCTest

/// Nodes go into the column of their longest path, arcs over skipped columns get levels that keep them apart, and
/// node boxes stand where the layout puts them.
final class LayeredGraphTests: XCTestCase {
    private func node(_ id: Int) -> LayeredGraph.Node { .init(id: id, lines: ["node \(id)", "conv"], group: id < 2 ? "stage 0" : "stage 1") }
    private func edge(_ source: Int, _ target: Int) -> LayeredGraph.Edge { .init(source: source, target: target, lines: ["\(source)->\(target)"], weight: 1) }

    func testColumnsArcLevelsAndBoxesOfAChainWithSkips() throws {
        let graph = try LayeredGraph(nodes: [0, 1, 2, 3].map(node), edges: [edge(0, 1), edge(1, 2), edge(2, 3), edge(0, 2), edge(1, 3), edge(0, 3)])
        XCTAssertEqual(graph.columns, [0: 0, 1: 1, 2: 2, 3: 3])
        // 0->2 is shortest and lowest; 1->3 overlaps it; 0->3 overlaps both.
        XCTAssertEqual(graph.arcLevels, [nil, nil, nil, 0, 1, 2])
        // Boxes of 2 lines are 42 high. The highest arc (level 2) has control points 36 + 2 x 48 above its ends and
        // rises 3/4 of that, 99; its one-line label needs 15 + 6 more, and the group names 40: the nodes' top is at 160.
        XCTAssertEqual(graph.nodeHeight, 42)
        XCTAssertEqual(graph.origin(of: 2).x, 16 + 2 * 180)
        XCTAssertEqual(graph.origin(of: 2).y, 160)
        let document = try MarkupDocument(graph.svg())
        let boxes = document.elements(named: "rect").filter { $0.attributes["rx"] == "5" }
        XCTAssertEqual(boxes.map { $0.attributes["x"]! }, ["16", "196", "376", "556"])
        XCTAssertEqual(Set(boxes.map { $0.attributes["y"]! }), ["160"])
        XCTAssertEqual(document.elements(named: "path").count, 6)
        XCTAssertEqual(document.elements(named: "polygon").count, 6)
        // Side to side between neighbours: from (116, 181) to (195, 181); over the top for 0->2: from (66, 160) to (426, 159).
        let curves = document.elements(named: "path").map { $0.attributes["d"]! }
        XCTAssertEqual(curves[0], "M116 181 C155.5 181 155.5 181 195 181")
        XCTAssertEqual(curves[3], "M66 160 C66 124 426 123 426 159")
        let texts = document.elements(named: "text").map(\.text)
        for text in ["stage 0", "stage 1", "node 3", "0->3"] { XCTAssertTrue(texts.contains(text), text) }
    }

    func testArcsThatOnlyShareAnEndShareALevelAndAColumnIsCentred() throws {
        let chain = try LayeredGraph(nodes: [0, 1, 2, 3, 4].map(node), edges: [edge(0, 1), edge(1, 2), edge(2, 3), edge(3, 4), edge(0, 2), edge(2, 4)])
        XCTAssertEqual(chain.arcLevels, [nil, nil, nil, nil, 0, 0])
        let fork = try LayeredGraph(nodes: [0, 1, 2].map(node), edges: [edge(0, 1), edge(0, 2)])
        XCTAssertEqual(fork.columns, [0: 0, 1: 1, 2: 1])
        // Nodes 1 and 2 stack 42 + 28 apart; node 0, alone in its column, stands half that lower than node 1.
        XCTAssertEqual(fork.origin(of: 2).y - fork.origin(of: 1).y, 70)
        XCTAssertEqual(fork.origin(of: 0).y - fork.origin(of: 1).y, 35)
    }

    func testMalformedGraphsAreRefused() {
        XCTAssertThrowsError(try LayeredGraph(nodes: [node(0), node(0)], edges: [])) { error in
            XCTAssertEqual(error as? LayeredGraph.LayoutError, .duplicateNode(0))
        }
        XCTAssertThrowsError(try LayeredGraph(nodes: [node(0), node(1)], edges: [edge(0, 1), edge(1, 7)])) { error in
            XCTAssertEqual(error as? LayeredGraph.LayoutError, .unknownNode(edge: 1, node: 7))
            XCTAssertEqual("\(error)", "connection 1 joins node 7, which is not among the nodes")
        }
        XCTAssertThrowsError(try LayeredGraph(nodes: [node(0), node(1), node(2)], edges: [edge(0, 1), edge(1, 2), edge(2, 1)])) { error in
            XCTAssertEqual(error as? LayeredGraph.LayoutError, .cycle(nodes: [1, 2]))
        }
    }
}
