/// Collects SVG elements and wraps them into one standalone `<svg>` element. Every text and attribute value is
/// escaped and every coordinate written with at most two decimals.
public struct SVGCanvas {
    /// How a text is placed relative to its x coordinate.
    public enum Anchor: String {
        case start, middle, end
    }

    public let width: Double
    public let height: Double
    private(set) var elements: [String] = []

    public init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    /// An SVG number: at most two decimals, no trailing zeros.
    public static func number(_ value: Double) -> String {
        NumberText.trimmed(value, decimals: 2)
    }

    public mutating func line(x1: Double, y1: Double, x2: Double, y2: Double, stroke: String, width: Double = 1, dashed: Bool = false) {
        elements.append("<line x1=\"\(Self.number(x1))\" y1=\"\(Self.number(y1))\" x2=\"\(Self.number(x2))\" y2=\"\(Self.number(y2))\" "
            + "stroke=\"\(stroke.markupEscaped)\" stroke-width=\"\(Self.number(width))\"\(dashed ? " stroke-dasharray=\"4 3\"" : "")/>")
    }

    /// A rectangle; `tooltip` becomes its `<title>`, which browsers show on hover.
    public mutating func rect(x: Double, y: Double, width: Double, height: Double, fill: String, stroke: String? = nil,
                              radius: Double = 0, tooltip: String? = nil) {
        let geometry = "x=\"\(Self.number(x))\" y=\"\(Self.number(y))\" width=\"\(Self.number(width))\" height=\"\(Self.number(height))\""
        let corner = radius > 0 ? " rx=\"\(Self.number(radius))\"" : ""
        let outline = stroke.map { " stroke=\"\($0.markupEscaped)\"" } ?? ""
        elements.append("<rect \(geometry)\(corner) fill=\"\(fill.markupEscaped)\"\(outline)" + Self.close("rect", tooltip))
    }

    public mutating func circle(x: Double, y: Double, radius: Double, fill: String, tooltip: String? = nil) {
        elements.append("<circle cx=\"\(Self.number(x))\" cy=\"\(Self.number(y))\" r=\"\(Self.number(radius))\" fill=\"\(fill.markupEscaped)\""
            + Self.close("circle", tooltip))
    }

    /// An open line through `points`.
    public mutating func polyline(_ points: [(x: Double, y: Double)], stroke: String, width: Double = 2) {
        let list = points.map { "\(Self.number($0.x)),\(Self.number($0.y))" }.joined(separator: " ")
        elements.append("<polyline points=\"\(list)\" fill=\"none\" stroke=\"\(stroke.markupEscaped)\" stroke-width=\"\(Self.number(width))\"/>")
    }

    /// A closed filled shape through `points`.
    public mutating func polygon(_ points: [(x: Double, y: Double)], fill: String) {
        let list = points.map { "\(Self.number($0.x)),\(Self.number($0.y))" }.joined(separator: " ")
        elements.append("<polygon points=\"\(list)\" fill=\"\(fill.markupEscaped)\"/>")
    }

    /// A cubic Bézier curve from `from` to `to` with control points `control1` and `control2`.
    public mutating func curve(from: (x: Double, y: Double), control1: (x: Double, y: Double), control2: (x: Double, y: Double),
                               to: (x: Double, y: Double), stroke: String, width: Double, tooltip: String? = nil) {
        let data = [from, control1, control2, to].map { "\(Self.number($0.x)) \(Self.number($0.y))" }
        elements.append("<path d=\"M\(data[0]) C\(data[1]) \(data[2]) \(data[3])\" fill=\"none\" stroke=\"\(stroke.markupEscaped)\" "
            + "stroke-width=\"\(Self.number(width))\"" + Self.close("path", tooltip))
    }

    /// A text; `rotated` turns it a quarter anticlockwise about its anchor (for a vertical axis label), and `halo`
    /// draws a white outline under the letters so that lines behind stay readable.
    public mutating func text(_ content: String, x: Double, y: Double, anchor: Anchor = .start, size: Double = 12,
                              bold: Bool = false, fill: String = "#222", rotated: Bool = false, halo: Bool = false) {
        var attributes = "x=\"\(Self.number(x))\" y=\"\(Self.number(y))\" font-size=\"\(Self.number(size))\" fill=\"\(fill.markupEscaped)\""
        if anchor != .start { attributes += " text-anchor=\"\(anchor.rawValue)\"" }
        if bold { attributes += " font-weight=\"bold\"" }
        if rotated { attributes += " transform=\"rotate(-90 \(Self.number(x)) \(Self.number(y)))\"" }
        if halo { attributes += " stroke=\"#fff\" stroke-width=\"3\" paint-order=\"stroke\"" }
        elements.append("<text \(attributes)>\(content.markupEscaped)</text>")
    }

    /// The `<svg>` element: `kind` becomes its class (what a page's style or a test selects on) and `label` its
    /// accessible name and `<title>`.
    public func svg(kind: String, label: String) -> String {
        let size = "width=\"\(Self.number(width))\" height=\"\(Self.number(height))\" viewBox=\"0 0 \(Self.number(width)) \(Self.number(height))\""
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"\(kind.markupEscaped)\" \(size) role=\"img\" "
            + "aria-label=\"\(label.markupEscaped)\" font-family=\"sans-serif\">\n<title>\(label.markupEscaped)</title>\n"
            + elements.joined(separator: "\n") + "\n</svg>"
    }

    /// The end of an element: `/>`, or its `<title>` child and closing tag.
    private static func close(_ name: String, _ tooltip: String?) -> String {
        guard let tooltip else { return "/>" }
        return "><title>\(tooltip.markupEscaped)</title></\(name)>"
    }
}
