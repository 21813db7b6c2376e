import Foundation
import Serialization
import Training

/// Reads TensorBoard event files back for the tests, written apart from the library's writer: it splits the
/// TFRecord framing checking both CRCs of every record, and decodes the protobuf wire format of the
/// `tensorflow.Event` fields that scalar logs use, refusing any other field.
enum EventFileReader {
    /// A decoded `tensorflow.Event`.
    struct Event: Equatable {
        var wallTime = 0.0
        var step = 0
        var fileVersion: String?
        var values: [Value] = []
    }

    /// A decoded `Summary.Value` holding a `simple_value`.
    struct Value: Equatable {
        var tag: String
        var value: Float
    }

    struct Corrupt: Error, CustomStringConvertible {
        var description: String
    }

    /// The events of the file at `path`, in order.
    static func events(path: String) throws -> [Event] {
        try records(Data(contentsOf: URL(fileURLWithPath: path))).map(decodeEvent)
    }

    /// The data of each record: length UInt64 LE, its masked CRC UInt32 LE, data, the data's masked CRC UInt32 LE.
    static func records(_ file: Data) throws -> [[UInt8]] {
        let bytes = [UInt8](file)
        var records: [[UInt8]] = [], offset = 0
        while offset < bytes.count {
            guard offset + 12 <= bytes.count else { throw Corrupt(description: "truncated header at \(offset)") }
            let lengthBytes = Array(bytes[offset..<offset + 8])
            guard littleEndian(bytes, at: offset + 8, count: 4) == UInt64(CRC32C.masked(CRC32C.checksum(lengthBytes))) else {
                throw Corrupt(description: "bad length CRC at \(offset)")
            }
            let length = Int(littleEndian(bytes, at: offset, count: 8))
            let dataStart = offset + 12, dataEnd = dataStart + length
            guard dataEnd + 4 <= bytes.count else { throw Corrupt(description: "truncated record at \(offset)") }
            let data = Array(bytes[dataStart..<dataEnd])
            guard littleEndian(bytes, at: dataEnd, count: 4) == UInt64(CRC32C.masked(CRC32C.checksum(data))) else {
                throw Corrupt(description: "bad data CRC at \(offset)")
            }
            records.append(data)
            offset = dataEnd + 4
        }
        return records
    }

    private static func littleEndian(_ bytes: [UInt8], at offset: Int, count: Int) -> UInt64 {
        (0..<count).reduce(UInt64(0)) { $0 | UInt64(bytes[offset + $1]) << (8 * UInt64($1)) }
    }

    /// A protobuf field: its number and its value by wire type.
    private enum Field {
        case varint(Int, UInt64)
        case fixed64(Int, UInt64)
        case lengthDelimited(Int, [UInt8])
        case fixed32(Int, UInt32)
    }

    private static func fields(_ bytes: [UInt8]) throws -> [Field] {
        var fields: [Field] = [], offset = 0
        func varint() throws -> UInt64 {
            var value: UInt64 = 0, shift: UInt64 = 0
            while true {
                guard offset < bytes.count, shift < 64 else { throw Corrupt(description: "bad varint") }
                let byte = bytes[offset]
                offset += 1
                value |= UInt64(byte & 0x7F) << shift
                if byte < 0x80 { return value }
                shift += 7
            }
        }
        func take(_ count: Int) throws -> [UInt8] {
            guard count >= 0, offset + count <= bytes.count else { throw Corrupt(description: "field overruns its message") }
            defer { offset += count }
            return Array(bytes[offset..<offset + count])
        }
        while offset < bytes.count {
            let key = try varint()
            let number = Int(key >> 3)
            switch key & 7 {
            case 0: fields.append(.varint(number, try varint()))
            case 1: fields.append(.fixed64(number, littleEndian(try take(8), at: 0, count: 8)))
            case 2: fields.append(.lengthDelimited(number, try take(Int(try varint()))))
            case 5: fields.append(.fixed32(number, UInt32(littleEndian(try take(4), at: 0, count: 4))))
            default: throw Corrupt(description: "unexpected wire type in key \(key)")
            }
        }
        return fields
    }

    /// Event { double wall_time = 1; int64 step = 2; string file_version = 3; Summary summary = 5; }
    private static func decodeEvent(_ bytes: [UInt8]) throws -> Event {
        var event = Event()
        for field in try fields(bytes) {
            switch field {
            case let .fixed64(1, bits): event.wallTime = Double(bitPattern: bits)
            case let .varint(2, value): event.step = Int(Int64(bitPattern: value))
            case let .lengthDelimited(3, text): event.fileVersion = String(decoding: text, as: UTF8.self)
            case let .lengthDelimited(5, summary): event.values += try decodeSummary(summary)
            default: throw Corrupt(description: "unexpected Event field \(field)")
            }
        }
        return event
    }

    /// Summary { repeated Value value = 1; }, Value { string tag = 1; float simple_value = 2; }
    private static func decodeSummary(_ bytes: [UInt8]) throws -> [Value] {
        try fields(bytes).map { field in
            guard case let .lengthDelimited(1, valueBytes) = field else { throw Corrupt(description: "unexpected Summary field \(field)") }
            var tag: String?, value: Float?
            for valueField in try fields(valueBytes) {
                switch valueField {
                case let .lengthDelimited(1, text): tag = String(decoding: text, as: UTF8.self)
                case let .fixed32(2, bits): value = Float(bitPattern: bits)
                default: throw Corrupt(description: "unexpected Value field \(valueField)")
                }
            }
            guard let tag, let value else { throw Corrupt(description: "a Value without tag or simple_value") }
            return Value(tag: tag, value: value)
        }
    }
}
