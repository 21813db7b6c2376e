import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// An XML document (an SVG, or a report page, which is well-formed XML too) as the list of its elements in
/// document order; reading it fails unless the markup is well formed.
struct MarkupDocument {
    struct Element {
        let name: String
        let attributes: [String: String]
        /// The character data directly inside the element, references resolved.
        var text: String
    }

    struct MalformedMarkup: Error, CustomStringConvertible {
        let description: String
    }

    let elements: [Element]

    init(_ markup: String) throws {
        let parser = XMLParser(data: Data(markup.utf8))
        let collector = Collector()
        parser.delegate = collector
        guard parser.parse() else {
            throw MalformedMarkup(description: "line \(parser.lineNumber), column \(parser.columnNumber): \(parser.parserError.map { "\($0)" } ?? "")")
        }
        elements = collector.elements
    }

    func elements(named name: String) -> [Element] { elements.filter { $0.name == name } }

    /// The elements named `name` whose `attribute` is `value`.
    func elements(named name: String, where attribute: String, is value: String) -> [Element] {
        elements(named: name).filter { $0.attributes[attribute] == value }
    }

    private final class Collector: NSObject, XMLParserDelegate {
        var elements: [Element] = []
        private var open: [Int] = []

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            open.append(elements.count)
            elements.append(Element(name: name, attributes: attributes, text: ""))
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            open.removeLast()
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if let last = open.last { elements[last].text += string }
        }
    }
}
