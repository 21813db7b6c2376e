/// One line saying what a JSON file lacks or holds wrongly, for an error message that names the file.
extension DecodingError {
    var summary: String {
        switch self {
        case let .keyNotFound(key, context):
            let location = Self.location(context.codingPath)
            return "missing \"\(key.stringValue)\"" + (location.isEmpty ? "" : " in \(location)")
        case let .dataCorrupted(context) where context.codingPath.isEmpty:
            return "not valid JSON"
        case let .dataCorrupted(context), let .typeMismatch(_, context), let .valueNotFound(_, context):
            return "at \(Self.location(context.codingPath)): \(Self.oneLine(context.debugDescription))"
        @unknown default:
            return Self.oneLine("\(self)")
        }
    }

    /// A coding path written as `expansions[3].epoch`.
    private static func location(_ path: [any CodingKey]) -> String {
        path.reduce(into: "") { text, key in
            if let index = key.intValue { text += "[\(index)]" } else { text += (text.isEmpty ? "" : ".") + key.stringValue }
        }
    }

    private static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}
