/// A horizontal bar chart: one labelled bar per item, its length the item's value from zero, its value written at
/// its end, over a numeric axis with ticks and grid.
public struct BarChart {
    /// One bar.
    public struct Bar {
        public var label: String
        public var value: Double
        /// The value as written at the bar's end (`96.66%`, `20,000`).
        public var valueText: String

        public init(label: String, value: Double, valueText: String) {
            self.label = label
            self.value = value
            self.valueText = valueText
        }
    }

    public var title: String
    public var axisLabel: String
    /// The bars from top to bottom, coloured ``ChartPalette/color(_:)`` in order.
    public var bars: [Bar]
    public var width: Double

    /// Each bar's height, and the space between bars.
    public static let barHeight = 18.0, barGap = 8.0

    public init(title: String, axisLabel: String, bars: [Bar], width: Double = 440) {
        self.title = title
        self.axisLabel = axisLabel
        self.bars = bars
        self.width = width
    }

    /// Where the bars are drawn: left of it the labels (as wide as the longest needs), right of it room for the
    /// value of the longest bar, 32 units above for the title, 48 below for the axis.
    public var plotArea: PlotArea {
        let labelWidth = bars.map { SVGCanvas.estimatedWidth(of: $0.label, size: 11) }.max() ?? 0
        let valueWidth = bars.map { SVGCanvas.estimatedWidth(of: $0.valueText, size: 11) }.max() ?? 0
        let left = labelWidth + 16
        return PlotArea(left: left, top: 32, width: max(60, width - left - valueWidth - 12),
                        height: Double(bars.count) * (Self.barHeight + Self.barGap) + Self.barGap)
    }

    /// The axis ticks: from zero (or the most negative value) to the largest value.
    public var ticks: AxisTicks {
        let values = bars.map(\.value).filter(\.isFinite)
        return AxisTicks(covering: min(0, values.min() ?? 0), max(0, values.max() ?? 1))
    }

    /// The standalone `<svg>` element, of class `bar-chart`.
    public func svg() -> String {
        let area = plotArea, ticks = ticks
        let scale = LinearScale(domain: ticks.lower...ticks.upper, start: area.left, end: area.right)
        var canvas = SVGCanvas(width: width, height: area.bottom + 48)
        canvas.text(title, x: 8, y: 20, size: 14, bold: true)
        canvas.horizontalAxis(ticks, scale: scale, area: area, label: axisLabel)
        for (index, bar) in bars.enumerated() {
            let top = area.top + Self.barGap + Double(index) * (Self.barHeight + Self.barGap)
            let zero = scale(0), end = scale(bar.value.isFinite ? bar.value : 0)
            canvas.text(bar.label, x: area.left - 8, y: top + 13, anchor: .end, size: 11)
            canvas.rect(x: min(zero, end), y: top, width: abs(end - zero), height: Self.barHeight, fill: ChartPalette.color(index),
                        tooltip: "\(bar.label): \(bar.valueText)")
            canvas.text(bar.valueText, x: max(zero, end) + 4, y: top + 13, size: 11)
        }
        return canvas.svg(kind: "bar-chart", label: title)
    }
}
