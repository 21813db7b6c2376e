extension DecodingError {
    /// What is wrong, and where in the JSON: `nodes[2].kind: Cannot initialize Kind from invalid String value conv`.
    var locatedDescription: String {
        let context: DecodingError.Context
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
