/// The validated JSON header of a safetensors file: each tensor's entry, in data order, and the metadata.
///
/// Validation follows Python's safetensors: every entry has a known dtype, a shape of non-negative integers
/// whose byte count does not overflow and equals its `data_offsets`, and the entries tile the data section
/// from its first byte to its last, without gap or overlap. Entries may have no other keys.
struct SafetensorsHeader {
    /// One tensor's entry: its type, shape and where its bytes lie in the data section.
    struct Entry {
        let name: String
        let elementType: ElementType
        let shape: [Int]
        /// The byte range relative to the start of the data section.
        let offsets: Range<Int>
    }

    /// The key of the optional string-to-string metadata object, which no tensor may use as its name.
    static let metadataKey = "__metadata__"

    /// The entries, sorted by their position in the data section.
    let entries: [Entry]
    /// The `__metadata__` object, empty if the header has none.
    let metadata: [String: String]

    /// Parses and validates `json`, the header of the file at `path` (`nil` for bytes in memory),
    /// which is followed by a data section of `dataLength` bytes.
    init(json: [UInt8], dataLength: Int, path: String?) throws(SafetensorsError) {
        guard String(validating: json, as: UTF8.self) != nil else {
            throw .invalidHeader(path: path, reason: "the header is not valid UTF-8")
        }
        let root: JSONValue
        do {
            root = try JSONParser.parse(json)
        } catch {
            throw .invalidHeader(path: path, reason: "the header is not valid JSON: \(error.reason)")
        }
        guard case let .object(members) = root else {
            throw .invalidHeader(path: path, reason: "the header is \(root.kind), not a JSON object")
        }
        var metadata: [String: String] = [:]
        var entries: [Entry] = []
        var names = Set<String>()
        for (name, value) in members {
            guard names.insert(name).inserted else {
                throw name == Self.metadataKey
                    ? .invalidHeader(path: path, reason: "\(Self.metadataKey) appears twice")
                    : .invalidTensor(path: path, name: name, reason: "the name appears twice")
            }
            if name == Self.metadataKey {
                metadata = try Self.metadata(value, path: path)
            } else {
                entries.append(try Self.entry(named: name, value, dataLength: dataLength, path: path))
            }
        }
        self.entries = try Self.tilingInDataOrder(entries, dataLength: dataLength, path: path)
        self.metadata = metadata
    }

    /// The `__metadata__` object as a dictionary; every value must be a string and no key may repeat.
    private static func metadata(_ value: JSONValue, path: String?) throws(SafetensorsError) -> [String: String] {
        guard case let .object(members) = value else {
            throw .invalidHeader(path: path, reason: "\(metadataKey) is \(value.kind), not an object of strings")
        }
        var metadata: [String: String] = [:]
        for (key, value) in members {
            guard case let .string(text) = value else {
                throw .invalidHeader(path: path, reason: "\(metadataKey) value of \(key.debugDescription) is \(value.kind), not a string")
            }
            guard metadata.updateValue(text, forKey: key) == nil else {
                throw .invalidHeader(path: path, reason: "\(metadataKey) key \(key.debugDescription) appears twice")
            }
        }
        return metadata
    }

    /// The entry of tensor `name`, checked on its own: keys, dtype, shape, and offsets within the data section.
    private static func entry(named name: String, _ value: JSONValue, dataLength: Int, path: String?) throws(SafetensorsError) -> Entry {
        func invalid(_ reason: String) -> SafetensorsError { .invalidTensor(path: path, name: name, reason: reason) }
        guard case let .object(members) = value else { throw invalid("the entry is \(value.kind), not an object") }
        var fields: [String: JSONValue] = [:]
        for (key, value) in members {
            guard ["dtype", "shape", "data_offsets"].contains(key) else { throw invalid("unexpected key \(key.debugDescription)") }
            guard fields.updateValue(value, forKey: key) == nil else { throw invalid("key \(key.debugDescription) appears twice") }
        }
        guard case let .string(dtype)? = fields["dtype"] else { throw invalid("dtype must be a string") }
        guard let elementType = ElementType(rawValue: dtype) else {
            let known = ElementType.allCases.map(\.rawValue).joined(separator: ", ")
            throw invalid("unknown dtype \(dtype.debugDescription), expected one of \(known)")
        }
        guard let shape = fields["shape"].flatMap(nonNegativeIntegers) else {
            throw invalid("shape must be an array of non-negative integers")
        }
        guard let offsets = fields["data_offsets"].flatMap(nonNegativeIntegers), offsets.count == 2 else {
            throw invalid("data_offsets must be two non-negative integers [begin, end]")
        }
        let (begin, end) = (offsets[0], offsets[1])
        guard begin <= end else { throw invalid("data_offsets [\(begin), \(end)] end before they begin") }
        guard end <= dataLength else {
            throw invalid("data_offsets [\(begin), \(end)] run past the end of the \(dataLength)-byte data section")
        }
        guard let byteCount = byteCount(shape: shape, elementType: elementType) else {
            throw invalid("shape \(shape) of \(dtype) holds more bytes than Int can count")
        }
        guard byteCount == end - begin else {
            throw invalid("shape \(shape) of \(dtype) needs \(byteCount) bytes but data_offsets [\(begin), \(end)] hold \(end - begin)")
        }
        return Entry(name: name, elementType: elementType, shape: shape, offsets: begin..<end)
    }

    /// The elements of `value` if it is an array of non-negative integers that fit in `Int`, otherwise `nil`.
    private static func nonNegativeIntegers(_ value: JSONValue) -> [Int]? {
        guard case let .array(elements) = value else { return nil }
        let integers = elements.compactMap { element -> Int? in
            guard case let .number(text) = element, let integer = Int(text), integer >= 0 else { return nil }
            return integer
        }
        return integers.count == elements.count ? integers : nil
    }

    /// The number of bytes of a tensor, or `nil` if it overflows `Int`; like Python's safetensors,
    /// the element count is the product of the dimensions taken in order, then multiplied by the width.
    private static func byteCount(shape: [Int], elementType: ElementType) -> Int? {
        var count = 1
        for factor in shape + [elementType.byteWidth] {
            let (product, overflow) = count.multipliedReportingOverflow(by: factor)
            guard !overflow else { return nil }
            count = product
        }
        return count
    }

    /// `entries` sorted by offsets, after checking that they tile the data section: the first begins at 0,
    /// each begins where the previous one ends, and the last ends at `dataLength`.
    private static func tilingInDataOrder(_ entries: [Entry], dataLength: Int, path: String?) throws(SafetensorsError) -> [Entry] {
        let sorted = entries.sorted { ($0.offsets.lowerBound, $0.offsets.upperBound) < ($1.offsets.lowerBound, $1.offsets.upperBound) }
        var previous: Entry?
        for entry in sorted {
            let end = previous?.offsets.upperBound ?? 0
            if let previous, entry.offsets.lowerBound < end {
                throw .invalidTensor(path: path, name: entry.name, reason: "data_offsets \(describe(entry.offsets)) overlap "
                    + "those of tensor \(previous.name.debugDescription), \(describe(previous.offsets))")
            }
            if entry.offsets.lowerBound > end {
                let before = previous.map { "after tensor \($0.name.debugDescription), which ends at \(end)" } ?? "at the start of the data section"
                throw .invalidTensor(path: path, name: entry.name, reason: "data_offsets \(describe(entry.offsets)) leave a gap of "
                    + "\(entry.offsets.lowerBound - end) bytes \(before)")
            }
            previous = entry
        }
        let covered = previous?.offsets.upperBound ?? 0
        guard covered == dataLength else {
            throw .invalidHeader(path: path, reason: "the tensors cover \(covered) bytes of the \(dataLength)-byte data section, "
                + "\(dataLength - covered) bytes at its end belong to no tensor")
        }
        return sorted
    }

    /// Offsets as the header writes them: `[begin, end]`.
    private static func describe(_ offsets: Range<Int>) -> String {
        "[\(offsets.lowerBound), \(offsets.upperBound)]"
    }
}
