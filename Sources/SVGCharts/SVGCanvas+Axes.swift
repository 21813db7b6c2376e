extension SVGCanvas {
    private static let gridColor = "#e3e3e3", axisColor = "#555"

    /// A numeric axis along the bottom of `area`: a vertical grid line, a tick mark and a label at each tick, and
    /// `label` centred below.
    mutating func horizontalAxis(_ ticks: AxisTicks, scale: LinearScale, area: PlotArea, label: String) {
        for value in ticks.values {
            let x = scale(value)
            line(x1: x, y1: area.top, x2: x, y2: area.bottom, stroke: Self.gridColor)
            line(x1: x, y1: area.bottom, x2: x, y2: area.bottom + 5, stroke: Self.axisColor)
            text(ticks.label(value), x: x, y: area.bottom + 18, anchor: .middle, size: 11)
        }
        line(x1: area.left, y1: area.bottom, x2: area.right, y2: area.bottom, stroke: Self.axisColor)
        text(label, x: area.left + area.width / 2, y: area.bottom + 36, anchor: .middle)
    }

    /// A numeric axis along the left of `area`: a horizontal grid line, a tick mark and a label at each tick, and
    /// `label` written upwards to the left.
    mutating func verticalAxis(_ ticks: AxisTicks, scale: LinearScale, area: PlotArea, label: String) {
        for value in ticks.values {
            let y = scale(value)
            line(x1: area.left, y1: y, x2: area.right, y2: y, stroke: Self.gridColor)
            line(x1: area.left - 5, y1: y, x2: area.left, y2: y, stroke: Self.axisColor)
            text(ticks.label(value), x: area.left - 8, y: y + 4, anchor: .end, size: 11)
        }
        line(x1: area.left, y1: area.top, x2: area.left, y2: area.bottom, stroke: Self.axisColor)
        text(label, x: 14, y: area.top + area.height / 2, anchor: .middle, rotated: true)
    }

    /// Coloured swatches with their names, in rows that start at `x` and end before `right`, the first row's text
    /// on the baseline `y` and each further row 18 units lower.
    mutating func legend(_ entries: [(name: String, color: String)], x: Double, y: Double, right: Double) {
        for (entry, place) in zip(entries, Self.legendPlaces(entries.map(\.name), x: x, right: right)) {
            let baseline = y + 18 * Double(place.row)
            rect(x: place.x, y: baseline - 9, width: 14, height: 10, fill: entry.color)
            text(entry.name, x: place.x + 18, y: baseline, size: 11)
        }
    }

    /// Where ``legend(_:x:y:right:)`` puts each entry: its left edge and its row.
    static func legendPlaces(_ names: [String], x: Double, right: Double) -> [(x: Double, row: Int)] {
        var places: [(x: Double, row: Int)] = []
        var position = x, row = 0
        for name in names {
            let width = 18 + estimatedWidth(of: name, size: 11)
            if position > x, position + width > right { (position, row) = (x, row + 1) }
            places.append((position, row))
            position += width + 16
        }
        return places
    }

    /// About how wide `text` is at font `size` in a sans-serif face (SVG cannot measure text before it is drawn).
    static func estimatedWidth(of text: String, size: Double) -> Double {
        Double(text.count) * size * 0.6
    }
}
