/// A grid of coloured cells, one row per item and one column per step, the colour of a cell its value as a
/// fraction of the largest value (``ColorRamp``), with row and column labels, a note after each row and a legend.
/// Values are written in the cells when the cells are wide enough, and are every cell's tooltip.
public struct Heatmap {
    public var title: String
    public var rowLabels: [String]
    public var columnLabels: [String]
    /// What the columns are, written under them (`epoch of the expansion`).
    public var columnCaption: String
    /// `values[row][column]`; a missing or non-finite value counts as 0.
    public var values: [[Double]]
    /// Text after each row (may be empty, or shorter than the rows).
    public var rowNotes: [String]
    /// What the colour stands for, written before the legend (`parameters added`).
    public var legendLabel: String

    public static let cellHeight = 24.0
    /// Cells share about this width; each is 12 to 48 units wide.
    public static let gridWidth = 640.0

    public init(title: String, rowLabels: [String], columnLabels: [String], columnCaption: String, values: [[Double]],
                rowNotes: [String] = [], legendLabel: String) {
        self.title = title
        self.rowLabels = rowLabels
        self.columnLabels = columnLabels
        self.columnCaption = columnCaption
        self.values = values
        self.rowNotes = rowNotes
        self.legendLabel = legendLabel
    }

    public var cellWidth: Double {
        min(48, max(12, (Self.gridWidth / Double(max(1, columnLabels.count))).rounded(.down)))
    }

    /// The top left corner of the first cell: right of the widest row label, under the title and column labels.
    public var gridOrigin: (x: Double, y: Double) {
        let labelWidth = rowLabels.map { SVGCanvas.estimatedWidth(of: $0, size: 12) }.max() ?? 0
        return (labelWidth + 16, 48)
    }

    /// The largest value, which gets the darkest colour.
    public var largestValue: Double {
        values.flatMap { $0 }.filter(\.isFinite).max() ?? 0
    }

    /// The value of a cell, 0 where none is given.
    public func value(row: Int, column: Int) -> Double {
        guard row < values.count, column < values[row].count, values[row][column].isFinite else { return 0 }
        return values[row][column]
    }

    /// The standalone `<svg>` element, of class `heatmap`.
    public func svg() -> String {
        let origin = gridOrigin, cellWidth = cellWidth, largest = largestValue
        let gridRight = origin.x + cellWidth * Double(columnLabels.count)
        let gridBottom = origin.y + Self.cellHeight * Double(rowLabels.count)
        let noteWidth = rowNotes.map { SVGCanvas.estimatedWidth(of: $0, size: 11) }.max() ?? 0
        var canvas = SVGCanvas(width: max(gridRight + noteWidth + 24, 420), height: gridBottom + 84)
        canvas.text(title, x: 8, y: 20, size: 14, bold: true)
        // Column labels no closer than 36 units, so that they never overlap.
        let labelEvery = max(1, Int((36 / cellWidth).rounded(.up)))
        for (column, label) in columnLabels.enumerated() where column % labelEvery == 0 {
            canvas.text(label, x: origin.x + (Double(column) + 0.5) * cellWidth, y: origin.y - 8, anchor: .middle, size: 11)
        }
        for (row, label) in rowLabels.enumerated() {
            let y = origin.y + Double(row) * Self.cellHeight
            canvas.text(label, x: origin.x - 8, y: y + 16, anchor: .end)
            for column in columnLabels.indices {
                let value = value(row: row, column: column)
                let fraction = largest > 0 ? value / largest : 0
                let x = origin.x + Double(column) * cellWidth
                canvas.rect(x: x, y: y, width: cellWidth, height: Self.cellHeight, fill: ColorRamp.color(fraction), stroke: "#ddd",
                            tooltip: "\(label), \(columnCaption) \(columnLabels[column]): \(NumberText.trimmed(value, decimals: 4))")
                if cellWidth >= 36, value != 0 {
                    canvas.text(NumberText.trimmed(value, decimals: 2), x: x + cellWidth / 2, y: y + 16, anchor: .middle, size: 10,
                                fill: ColorRamp.needsLightText(fraction) ? "#fff" : "#222")
                }
            }
            if row < rowNotes.count { canvas.text(rowNotes[row], x: gridRight + 8, y: y + 16, size: 11) }
        }
        canvas.text(columnCaption, x: origin.x + (gridRight - origin.x) / 2, y: gridBottom + 20, anchor: .middle)
        drawLegend(on: &canvas, x: origin.x, y: gridBottom + 48, largest: largest)
        return canvas.svg(kind: "heatmap", label: title)
    }

    /// Swatches for 0 and for a quarter, half, three quarters and all of the largest value, with their values
    /// (whole numbers once the largest value reaches 100).
    private func drawLegend(on canvas: inout SVGCanvas, x: Double, y: Double, largest: Double) {
        canvas.text(legendLabel + ":", x: x, y: y + 12, size: 11)
        var position = x + SVGCanvas.estimatedWidth(of: legendLabel + ":", size: 11) + 10
        for fraction in [0, 0.25, 0.5, 0.75, 1.0] {
            canvas.rect(x: position, y: y, width: 18, height: 16, fill: ColorRamp.color(fraction), stroke: "#bbb")
            let text = NumberText.trimmed(largest * fraction, decimals: largest >= 100 ? 0 : 2)
            canvas.text(text, x: position + 22, y: y + 12, size: 11)
            position += 22 + SVGCanvas.estimatedWidth(of: text, size: 11) + 14
        }
    }
}
