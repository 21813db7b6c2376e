import Serialization
import Foundation

/// The `formatVersion` member of a versioned JSON document, read on its own first, so that a document of another
/// version is refused as such rather than as a document with unexpected members.
struct FormatVersion: Decodable {
    var formatVersion: Int

    /// `json` decoded as a `Document` of format version `version`; when it has another version, the error
    /// `unsupported` makes of it, and when it is not such a document, the error `invalid` makes of what is wrong and
    /// where (`nodes[2].kind: ...`).
    static func decode<Document: Decodable, Failure: Error>(
        _ json: String, as document: Document.Type, version: Int, unsupported: (Int) -> Failure, invalid: (String) -> Failure
    ) throws(Failure) -> Document {
        func reason(_ error: Error) -> String { (error as? DecodingError)?.summary ?? "\(error)" }
        let data = Data(json.utf8)
        let found: Int
        do {
            found = try JSONDecoder().decode(Self.self, from: data).formatVersion
        } catch {
            throw invalid(reason(error))
        }
        guard found == version else { throw unsupported(found) }
        do {
            return try JSONDecoder().decode(Document.self, from: data)
        } catch {
            throw invalid(reason(error))
        }
    }
}
