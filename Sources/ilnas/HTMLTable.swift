import SVGCharts

/// An HTML table of plain-text cells, every cell escaped.
enum HTMLTable {
    /// A table of class `className` with a header row (none when `header` is empty) and `rows`.
    static func html(className: String, header: [String], rows: [[String]]) -> String {
        let head = header.isEmpty ? "" : "<thead><tr>" + header.map { "<th>\($0.markupEscaped)</th>" }.joined() + "</tr></thead>"
        let body = rows.map { "<tr>" + $0.map { "<td>\($0.markupEscaped)</td>" }.joined() + "</tr>" }.joined(separator: "\n")
        return "<table class=\"\(className.markupEscaped)\">\(head)<tbody>\n\(body)\n</tbody></table>"
    }
}
