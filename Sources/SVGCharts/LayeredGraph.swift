/// A directed acyclic graph laid out left to right: each node in the column of its longest path from a node
/// without inputs, the nodes of a column stacked in the order given and centred, each group's columns on a shaded
/// band with the group's name. Edges are curves ending in an arrowhead: between neighbouring columns from side to
/// side, and over the nodes, from top to top, when they skip columns.
public struct LayeredGraph {
    public struct Node {
        public var id: Int
        /// The node's text, one entry per line; the first is bold.
        public var lines: [String]
        /// The band the node is drawn on (`stage 1`); nodes of one group should share consecutive columns.
        public var group: String

        public init(id: Int, lines: [String], group: String) {
            self.id = id
            self.lines = lines
            self.group = group
        }
    }

    public struct Edge {
        public var source: Int
        public var target: Int
        /// The edge's label, one entry per line, written at the middle of its curve.
        public var lines: [String]
        /// The edge's relative strength in 0...1: 0 draws it 1 unit wide, 1 draws it 6.
        public var weight: Double

        public init(source: Int, target: Int, lines: [String], weight: Double) {
            self.source = source
            self.target = target
            self.lines = lines
            self.weight = weight
        }
    }

    /// Why nodes and edges cannot be laid out.
    public enum LayoutError: Error, Equatable, CustomStringConvertible {
        case duplicateNode(Int)
        /// Edge `edge` (an index) names `node`, which is not among the nodes.
        case unknownNode(edge: Int, node: Int)
        /// The edges go round in a circle through these nodes (and maybe others).
        case cycle(nodes: [Int])

        public var description: String {
            switch self {
            case let .duplicateNode(id): return "node \(id) appears twice"
            case let .unknownNode(edge, node): return "connection \(edge) joins node \(node), which is not among the nodes"
            case let .cycle(nodes): return "the connections form a cycle through nodes \(nodes.map(String.init).joined(separator: ", "))"
            }
        }
    }

    public static let nodeWidth = 100.0, columnGap = 80.0, rowGap = 28.0, lineHeight = 15.0, margin = 16.0

    public let nodes: [Node]
    public let edges: [Edge]
    /// The column of each node, by id: 0 for nodes without inputs, else one more than the furthest input's.
    public let columns: [Int: Int]
    /// For each edge that skips columns, the level of its arc above the nodes (0 the lowest): arcs whose column
    /// ranges overlap get different levels, shorter arcs lower ones. `nil` for edges between neighbouring columns.
    public let arcLevels: [Int?]

    /// Lays out `nodes` and `edges`.
    /// - Throws: ``LayoutError`` for a repeated node id, an edge to or from an unknown node, or a cycle.
    public init(nodes: [Node], edges: [Edge]) throws(LayoutError) {
        var inputs: [Int: [Int]] = [:]
        for node in nodes {
            guard inputs[node.id] == nil else { throw .duplicateNode(node.id) }
            inputs[node.id] = []
        }
        for (index, edge) in edges.enumerated() {
            for end in [edge.source, edge.target] where inputs[end] == nil { throw .unknownNode(edge: index, node: end) }
            inputs[edge.target, default: []].append(edge.source)
        }
        var columns: [Int: Int] = [:]
        var remaining = nodes.map(\.id)
        while !remaining.isEmpty {
            let ready = remaining.filter { id in inputs[id, default: []].allSatisfy { columns[$0] != nil } }
            guard !ready.isEmpty else { throw .cycle(nodes: remaining) }
            for id in ready { columns[id] = inputs[id, default: []].map { columns[$0]! + 1 }.max() ?? 0 }
            remaining.removeAll { columns[$0] != nil }
        }
        self.nodes = nodes
        self.edges = edges
        self.columns = columns
        arcLevels = Self.arcLevels(edges.map { columns[$0.source]!...columns[$0.target]! })
    }

    /// Levels for arcs over the column ranges `spans`: shortest first, each on the lowest level where it overlaps no
    /// arc already placed (arcs that only share an end column do not overlap).
    private static func arcLevels(_ spans: [ClosedRange<Int>]) -> [Int?] {
        var levels = [Int?](repeating: nil, count: spans.count)
        var placed: [[ClosedRange<Int>]] = []
        let arcs = spans.indices.filter { spans[$0].count > 2 }
            .sorted { (spans[$0].count, spans[$0].lowerBound, $0) < (spans[$1].count, spans[$1].lowerBound, $1) }
        for index in arcs {
            let span = spans[index]
            let free = placed.firstIndex { $0.allSatisfy { $0.upperBound <= span.lowerBound || span.upperBound <= $0.lowerBound } }
            let level = free ?? placed.count
            if level == placed.count { placed.append([]) }
            placed[level].append(span)
            levels[index] = level
        }
        return levels
    }

    /// The height of every node box: room for the most lines any node has.
    public var nodeHeight: Double {
        Double(nodes.map(\.lines.count).max() ?? 1) * Self.lineHeight + 12
    }

    /// The top left corner of node `id`'s box.
    public func origin(of id: Int) -> (x: Double, y: Double) {
        let column = columns[id] ?? 0
        let stack = nodes.filter { columns[$0.id] == column }
        let row = Double(stack.firstIndex { $0.id == id } ?? 0)
        let offset = (tallestColumn - Double(stack.count)) / 2 * (nodeHeight + Self.rowGap)
        return (Self.margin + Double(column) * (Self.nodeWidth + Self.columnGap), stackTop + offset + row * (nodeHeight + Self.rowGap))
    }

    /// The standalone `<svg>` element, of class `graph`.
    public func svg() -> String {
        let columnCount = (columns.values.max() ?? 0) + 1
        let width = 2 * Self.margin + Double(columnCount) * Self.nodeWidth + Double(columnCount - 1) * Self.columnGap
        var canvas = SVGCanvas(width: width, height: stackTop + tallestColumn * (nodeHeight + Self.rowGap) + Self.margin)
        drawGroups(on: &canvas)
        for index in edges.indices { drawEdge(index, on: &canvas) }
        for node in nodes { draw(node, on: &canvas) }
        return canvas.svg(kind: "graph", label: "graph of \(nodes.count) nodes and \(edges.count) connections")
    }

    /// The number of nodes in the fullest column.
    private var tallestColumn: Double {
        Double(Dictionary(grouping: nodes) { columns[$0.id] ?? 0 }.values.map(\.count).max() ?? 1)
    }

    /// How far the control points of an arc on `level` stand above its ends; the arc's top is 3/4 of that.
    private static func lift(level: Int) -> Double { 36 + 48 * Double(level) }

    /// The top of the tallest column: below the group names and the highest arc with its label.
    private var stackTop: Double {
        let arcRoom = zip(edges, arcLevels).compactMap { edge, level in
            level.map { 0.75 * Self.lift(level: $0) + Double(edge.lines.count) * Self.lineHeight + 6 }
        }
        return 40 + (arcRoom.max() ?? 0)
    }

    private func drawGroups(on canvas: inout SVGCanvas) {
        var order: [String] = []
        for node in nodes where !order.contains(node.group) { order.append(node.group) }
        for (index, group) in order.enumerated() {
            let spanned = nodes.filter { $0.group == group }.compactMap { columns[$0.id] }
            guard let first = spanned.min(), let last = spanned.max() else { continue }
            let left = Self.margin + Double(first) * (Self.nodeWidth + Self.columnGap) - Self.columnGap / 4
            let right = Self.margin + Double(last) * (Self.nodeWidth + Self.columnGap) + Self.nodeWidth + Self.columnGap / 4
            canvas.rect(x: max(2, left), y: 4, width: min(canvas.width - 2, right) - max(2, left), height: canvas.height - 8,
                        fill: index % 2 == 0 ? "#f2f5fa" : "#faf6ee", radius: 6)
            canvas.text(group, x: max(2, left) + 8, y: 22, bold: true, fill: "#555")
        }
    }

    private func draw(_ node: Node, on canvas: inout SVGCanvas) {
        let origin = origin(of: node.id)
        canvas.rect(x: origin.x, y: origin.y, width: Self.nodeWidth, height: nodeHeight, fill: "#ffffff", stroke: "#333", radius: 5)
        for (index, line) in node.lines.enumerated() {
            canvas.text(line, x: origin.x + Self.nodeWidth / 2, y: origin.y + 18 + Double(index) * Self.lineHeight, anchor: .middle,
                        bold: index == 0)
        }
    }

    private func drawEdge(_ index: Int, on canvas: inout SVGCanvas) {
        let edge = edges[index]
        let source = origin(of: edge.source), target = origin(of: edge.target)
        let start: (x: Double, y: Double), end: (x: Double, y: Double), control1: (x: Double, y: Double), control2: (x: Double, y: Double)
        if let level = arcLevels[index] {
            let lift = Self.lift(level: level)
            start = (source.x + Self.nodeWidth / 2, source.y)
            end = (target.x + Self.nodeWidth / 2, target.y - 1)
            (control1, control2) = ((start.x, start.y - lift), (end.x, end.y - lift))
        } else {
            start = (source.x + Self.nodeWidth, source.y + nodeHeight / 2)
            end = (target.x - 1, target.y + nodeHeight / 2)
            let reach = (end.x - start.x) / 2
            (control1, control2) = ((start.x + reach, start.y), (end.x - reach, end.y))
        }
        let color = "#4a6fa5"
        canvas.curve(from: start, control1: control1, control2: control2, to: end, stroke: color, width: 1 + 5 * min(1, max(0, edge.weight)),
                     tooltip: "node \(edge.source) → node \(edge.target): " + edge.lines.joined(separator: ", "))
        // The arrowhead points along the curve's last tangent, from the second control point to the end.
        let dx = end.x - control2.x, dy = end.y - control2.y, length = max(1e-9, (dx * dx + dy * dy).squareRoot())
        let back = (x: end.x - 9 * dx / length, y: end.y - 9 * dy / length)
        let side = (x: -4.5 * dy / length, y: 4.5 * dx / length)
        canvas.polygon([end, (back.x + side.x, back.y + side.y), (back.x - side.x, back.y - side.y)], fill: color)
        // The curve's midpoint B(1/2) = (P0 + 3 P1 + 3 P2 + P3) / 8; the label stands just above it.
        let middleX: Double = (start.x + 3 * control1.x + 3 * control2.x + end.x) / 8
        let middleY: Double = (start.y + 3 * control1.y + 3 * control2.y + end.y) / 8
        for (line, text) in edge.lines.enumerated() {
            let y = middleY - 6 - Double(edge.lines.count - 1 - line) * Self.lineHeight
            canvas.text(text, x: middleX, y: y, anchor: .middle, size: 11, fill: "#1d3557", halo: true)
        }
    }
}
