/// A line chart of one or more series over a numeric x axis, with axes, ticks, grid, axis labels and a legend.
/// Each point is drawn as a dot (with its value as a tooltip) on the series' line.
public struct LineChart {
    /// One named line.
    public struct Series {
        public var name: String
        public var points: [Point]

        public init(name: String, points: [Point]) {
            self.name = name
            self.points = points
        }
    }

    public struct Point: Equatable {
        public var x: Double
        public var y: Double

        public init(x: Double, y: Double) {
            self.x = x
            self.y = y
        }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    /// The series, coloured ``ChartPalette/color(_:)`` in order; points that are not finite are left out.
    public var series: [Series]
    /// Whether the y axis reaches down (or up) to zero, as counts and losses read best; otherwise it covers the data.
    public var yIncludesZero: Bool
    public var width: Double
    public var height: Double

    public init(title: String, xLabel: String, yLabel: String, series: [Series], yIncludesZero: Bool = true,
                width: Double = 440, height: Double = 300) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.yIncludesZero = yIncludesZero
        self.width = width
        self.height = height
    }

    /// Where the data is drawn: 64 units left for the y labels, 16 right, above 38 for the title and 18 per row of
    /// the legend, 48 below for the x labels.
    public var plotArea: PlotArea {
        let legendRows = (SVGCanvas.legendPlaces(series.map(\.name), x: 64, right: width - 16).map(\.row).max() ?? 0) + 1
        let top = 38 + 18 * Double(legendRows)
        return PlotArea(left: 64, top: top, width: width - 80, height: height - top - 48)
    }

    /// The x axis ticks: they cover every point.
    public var xTicks: AxisTicks {
        let xs = drawnPoints.flatMap { $0 }.map(\.x)
        return AxisTicks(covering: xs.min() ?? 0, xs.max() ?? 1, count: 6)
    }

    /// The y axis ticks: they cover every point, and zero when ``yIncludesZero``.
    public var yTicks: AxisTicks {
        let ys = drawnPoints.flatMap { $0 }.map(\.y)
        var low = ys.min() ?? 0, high = ys.max() ?? 1
        if yIncludesZero { (low, high) = (min(low, 0), max(high, 0)) }
        return AxisTicks(covering: low, high)
    }

    /// The standalone `<svg>` element, of class `line-chart`.
    public func svg() -> String {
        let area = plotArea, xTicks = xTicks, yTicks = yTicks
        let xScale = LinearScale(domain: xTicks.lower...xTicks.upper, start: area.left, end: area.right)
        let yScale = LinearScale(domain: yTicks.lower...yTicks.upper, start: area.bottom, end: area.top)
        var canvas = SVGCanvas(width: width, height: height)
        canvas.text(title, x: area.left, y: 20, size: 14, bold: true)
        canvas.legend(series.enumerated().map { ($0.element.name, ChartPalette.color($0.offset)) }, x: area.left, y: 40, right: area.right)
        canvas.verticalAxis(yTicks, scale: yScale, area: area, label: yLabel)
        canvas.horizontalAxis(xTicks, scale: xScale, area: area, label: xLabel)
        for (index, points) in drawnPoints.enumerated() {
            let color = ChartPalette.color(index)
            let placed = points.map { (x: xScale($0.x), y: yScale($0.y)) }
            if placed.count > 1 { canvas.polyline(placed, stroke: color) }
            for (point, position) in zip(points, placed) {
                canvas.circle(x: position.x, y: position.y, radius: 3, fill: color,
                              tooltip: "\(series[index].name) at \(xLabel) \(NumberText.trimmed(point.x, decimals: 4)): \(NumberText.trimmed(point.y, decimals: 4))")
            }
        }
        return canvas.svg(kind: "line-chart", label: title)
    }

    /// Each series' finite points.
    private var drawnPoints: [[Point]] {
        series.map { $0.points.filter { $0.x.isFinite && $0.y.isFinite } }
    }
}
