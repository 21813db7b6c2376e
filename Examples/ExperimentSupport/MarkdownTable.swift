/// A GitHub-flavoured Markdown table.
public struct MarkdownTable: Sendable, Equatable {
    public var columns: [String]
    public var rows: [[String]]

    public init(columns: [String], rows: [[String]] = []) {
        self.columns = columns
        self.rows = rows
    }

    public mutating func append(_ row: [String]) {
        precondition(row.count == columns.count, "a row of \(row.count) cells in a table of \(columns.count) columns")
        rows.append(row)
    }

    /// The header, the separator and one line per row; `|` inside a cell is escaped.
    public var markdown: String {
        func line(_ cells: [String]) -> String {
            "| " + cells.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |"
        }
        return ([line(columns), line(columns.map { _ in "---" })] + rows.map(line)).joined(separator: "\n") + "\n"
    }
}

/// A number of parameters as the paper writes budgets: 500000 -> "0.5M", 1000000 -> "1.0M", 20000 -> "20k".
public func parameterText(_ count: Int) -> String {
    func trimmed(_ value: Double, minimumDecimals: Int) -> String {
        var text = String(format: "%.2f", value)
        while text.hasSuffix("0"), text.split(separator: ".").last!.count > minimumDecimals { text.removeLast() }
        return text.hasSuffix(".") ? String(text.dropLast()) : text
    }
    if count >= 100_000 { return trimmed(Double(count) / 1_000_000, minimumDecimals: 1) + "M" }
    if count >= 1000 { return trimmed(Double(count) / 1000, minimumDecimals: 0) + "k" }
    return String(count)
}

/// An optional value, or the text for a value the paper does not state.
public func cell(_ value: Double?, decimals: Int = 2, absent: String = "–") -> String {
    value.map { String(format: "%.\(decimals)f", $0) } ?? absent
}
