extension String {
    /// The text with `&`, `<`, `>`, `"` and `'` replaced by character references, so that it can stand in HTML
    /// or SVG text and attribute values (double or single quoted) without changing the markup around it.
    public var markupEscaped: String {
        var escaped = ""
        escaped.reserveCapacity(utf8.count)
        for character in self {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
