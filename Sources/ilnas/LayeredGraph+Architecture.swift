import ArchitectureSearch
import SVGCharts

extension LayeredGraph {
    /// The graph of a network's final architecture: a node per layer (its id, kind and real channels) on the band of
    /// its stage, an edge per connection labelled with its present entries and, for convolutions, present kernels,
    /// drawn the thicker the more entries it has.
    /// - Throws: `CommandFailure` for a connection without source or target (not a grown network), or the graph's
    ///   `LayeredGraph.LayoutError`.
    init(_ architecture: ArchitectureDescription) throws {
        let nodes = architecture.nodes.map { node in
            Node(id: node.id, lines: ["node \(node.id)", node.kind, "\(NumberText.grouped(node.realChannels)) channel\(node.realChannels == 1 ? "" : "s")"],
                 group: node.stage >= 0 ? "stage \(node.stage)" : "linear (stage \(node.stage))")
        }
        let largest = Double(architecture.connections.map(\.presentEntries).max() ?? 0)
        let edges = try architecture.connections.map { connection in
            guard let source = connection.source, let target = connection.target else {
                throw CommandFailure(message: "connection \(connection.name) has no source or target node")
            }
            var lines = ["\(NumberText.grouped(connection.presentEntries)) entries"]
            if let kernels = connection.presentKernels { lines.append("\(NumberText.grouped(kernels)) kernels") }
            return Edge(source: source, target: target, lines: lines,
                        weight: largest > 0 ? (Double(connection.presentEntries) / largest).squareRoot() : 0)
        }
        try self.init(nodes: nodes, edges: edges)
    }
}
