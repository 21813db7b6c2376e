import ArchitectureSearch
import SVGCharts

extension Heatmap {
    /// What a growth heatmap's colour means, for the page to say next to it.
    static let expansionsColorMeaning = """
        Colour: the parameters an expansion added through units of that row (addedParametersPerLayer in \
        expansions.jsonl; rows are the connection labels source->target, node biases and inserted layers). A unit \
        that makes a placeholder channel real also counts that channel's bias and incoming weights in its row. The \
        audit log records what each expansion added, not the connections' shapes, which grow with their channels, \
        so the fraction of entries present after each expansion cannot be reconstructed from it; the final fraction \
        (present entries over entries between real channels, from architecture.json) ends each connection's row.
        """

    /// Growth per layer over a search: a row per label of the audit log's `addedParametersPerLayer` (the final
    /// architecture's connections first, in order, then other labels as they first appear), a column per expansion
    /// labelled with its epoch, the colour the parameters added.
    init(expansions: [ExpansionRecord], architecture: ArchitectureDescription) {
        let connectionLabels = architecture.connections.compactMap { connection in
            connection.source.flatMap { source in connection.target.map { "\(source)->\($0)" } }
        }
        var labels = connectionLabels
        for record in expansions {
            labels += record.addedParametersPerLayer.keys.sorted().filter { !labels.contains($0) }
        }
        let notes = labels.map { label in
            connectionLabels.firstIndex(of: label).map { Self.finalDensity(architecture.connections[$0], in: architecture) } ?? ""
        }
        self.init(title: "Parameters added per connection and expansion", rowLabels: labels,
                  columnLabels: expansions.map { NumberText.trimmed($0.epoch, decimals: 2) }, columnCaption: "epoch of the expansion",
                  values: labels.map { label in expansions.map { Double($0.addedParametersPerLayer[label] ?? 0) } },
                  rowNotes: notes, legendLabel: "parameters added")
    }

    /// `final: 5,805 of 5,904 (98.3%)`: present entries over the entries between the real channels of the
    /// connection's ends (each pair holds a kernel, or one entry per position a flattened input has).
    private static func finalDensity(_ connection: ArchitectureDescription.Connection, in architecture: ArchitectureDescription) -> String {
        let realChannels = { (id: Int?) in architecture.nodes.first { $0.id == id }?.realChannels ?? 0 }
        let possible = realChannels(connection.target) * realChannels(connection.source) * connection.shape.dropFirst(2).reduce(1, *)
        let share = possible > 0 ? " (\(NumberText.percent(Double(connection.presentEntries) / Double(possible), decimals: 1)))" : ""
        return "final: \(NumberText.grouped(connection.presentEntries)) of \(NumberText.grouped(possible))\(share)"
    }
}
