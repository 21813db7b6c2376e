/// A `Decodable` failure said in one line, for messages that name a file:
/// `nodes[2].kind: Cannot initialize Kind from invalid String value conv`, or `the key "nodes" is missing`.
extension DecodingError {
    /// Where in the JSON the decoding failed (when not at the top), then what was wrong.
    public var summary: String {
        let context: Context
        switch self {
        case let .typeMismatch(_, found), let .valueNotFound(_, found), let .keyNotFound(_, found), let .dataCorrupted(found):
            context = found
        @unknown default:
            return "\(self)"
        }
        let location = context.codingPath.reduce("") { path, key in
            key.intValue.map { "\(path)[\($0)]" } ?? (path.isEmpty ? key.stringValue : "\(path).\(key.stringValue)")
        }
        if case let .keyNotFound(key, _) = self {
            return "\(location.isEmpty ? "" : "\(location): ")the key \(key.stringValue.debugDescription) is missing"
        }
        return "\(location.isEmpty ? "" : "\(location): ")\(context.debugDescription)"
    }
}
