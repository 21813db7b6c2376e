/// A strict RFC 8259 parser for the JSON header of a safetensors file.
///
/// The input is already known to be valid UTF-8. Nesting is limited to `maximumDepth` levels (a safetensors
/// header needs 3), so hostile input cannot exhaust the stack; every error gives the byte offset in the header.
struct JSONParser {
    /// A syntax error and where it is.
    struct SyntaxError: Error {
        let reason: String
    }

    /// The deepest nesting of objects and arrays accepted.
    static let maximumDepth = 16

    private let bytes: [UInt8]
    private var position = 0

    /// Parses `bytes` as one JSON value, optionally surrounded by whitespace.
    static func parse(_ bytes: [UInt8]) throws(SyntaxError) -> JSONValue {
        var parser = JSONParser(bytes: bytes)
        let value = try parser.value(depth: 1)
        parser.skipWhitespace()
        guard parser.position == bytes.count else { throw parser.error("unexpected \(parser.describeNext()) after the JSON value") }
        return value
    }

    private init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    private mutating func value(depth: Int) throws(SyntaxError) -> JSONValue {
        skipWhitespace()
        switch peek() ?? 0 {  // 0 is never valid here, so the end of the input falls to `default`
        case UInt8(ascii: "{"):
            var members: [(key: String, value: JSONValue)] = []
            try sequence(depth: depth, closing: UInt8(ascii: "}")) { (parser: inout JSONParser) throws(SyntaxError) in
                parser.skipWhitespace()
                guard parser.peek() == UInt8(ascii: "\"") else { throw parser.error("expected a string key, found \(parser.describeNext())") }
                let key = try parser.string()
                parser.skipWhitespace()
                guard parser.peek() == UInt8(ascii: ":") else { throw parser.error("expected ':', found \(parser.describeNext())") }
                parser.position += 1
                members.append((key, try parser.value(depth: depth + 1)))
            }
            return .object(members)
        case UInt8(ascii: "["):
            var elements: [JSONValue] = []
            try sequence(depth: depth, closing: UInt8(ascii: "]")) { (parser: inout JSONParser) throws(SyntaxError) in
                elements.append(try parser.value(depth: depth + 1))
            }
            return .array(elements)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
        default: throw error("expected a value, found \(describeNext())")
        }
    }

    /// Parses `open (element (, element)*)? closing`, starting at the opening bracket.
    private mutating func sequence(
        depth: Int, closing: UInt8, element: (inout JSONParser) throws(SyntaxError) -> Void
    ) throws(SyntaxError) {
        guard depth <= Self.maximumDepth else { throw error("nested deeper than \(Self.maximumDepth) levels") }
        position += 1
        skipWhitespace()
        if peek() == closing {
            position += 1
            return
        }
        while true {
            try element(&self)
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","): position += 1
            case closing: position += 1; return
            default: throw error("expected ',' or '\(Character(Unicode.Scalar(closing)))', found \(describeNext())")
            }
        }
    }

    /// Parses a string literal, starting at its opening quote.
    private mutating func string() throws(SyntaxError) -> String {
        position += 1
        var utf8: [UInt8] = []
        while let byte = next() {
            switch byte {
            case UInt8(ascii: "\""): return String(decoding: utf8, as: UTF8.self)
            case UInt8(ascii: "\\"): utf8 += try escapeSequence()
            case 0..<0x20: throw error("unescaped control character \(Self.hex(byte)) in a string")
            default: utf8.append(byte)
            }
        }
        throw error("unterminated string")
    }

    /// The UTF-8 bytes of the escape sequence after a backslash.
    private mutating func escapeSequence() throws(SyntaxError) -> [UInt8] {
        switch next() {
        case UInt8(ascii: "\""): return [UInt8(ascii: "\"")]
        case UInt8(ascii: "\\"): return [UInt8(ascii: "\\")]
        case UInt8(ascii: "/"): return [UInt8(ascii: "/")]
        case UInt8(ascii: "b"): return [0x08]
        case UInt8(ascii: "f"): return [0x0C]
        case UInt8(ascii: "n"): return [0x0A]
        case UInt8(ascii: "r"): return [0x0D]
        case UInt8(ascii: "t"): return [0x09]
        case UInt8(ascii: "u"):
            var code = try hexQuad()
            if (0xD800..<0xDC00).contains(code) {
                // A high surrogate must be followed by an escaped low surrogate; together they are one scalar.
                guard next() == UInt8(ascii: "\\"), next() == UInt8(ascii: "u") else { throw error("unpaired surrogate in a string") }
                let low = try hexQuad()
                guard (0xDC00..<0xE000).contains(low) else { throw error("unpaired surrogate in a string") }
                code = 0x10000 + (code - 0xD800) << 10 + (low - 0xDC00)
            }
            guard let scalar = Unicode.Scalar(code) else { throw error("unpaired surrogate in a string") }
            return Array(String(scalar).utf8)
        default: throw error("invalid escape sequence in a string")
        }
    }

    /// The value of the four hexadecimal digits of a `\u` escape.
    private mutating func hexQuad() throws(SyntaxError) -> UInt32 {
        var code: UInt32 = 0
        for _ in 0..<4 {
            guard let byte = next(), let digit = Character(Unicode.Scalar(byte)).hexDigitValue else {
                throw error("expected four hexadecimal digits after \\u")
            }
            code = code << 4 | UInt32(digit)
        }
        return code
    }

    /// Parses a number, `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, and returns its text.
    private mutating func number() throws(SyntaxError) -> String {
        let start = position
        if peek() == UInt8(ascii: "-") { position += 1 }
        if peek() == UInt8(ascii: "0") { position += 1 } else { try digits() }
        if peek() == UInt8(ascii: ".") {
            position += 1
            try digits()
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            position += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { position += 1 }
            try digits()
        }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    /// Skips one or more decimal digits.
    private mutating func digits() throws(SyntaxError) {
        let start = position
        while let byte = peek(), (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) { position += 1 }
        guard position > start else { throw error("expected a digit, found \(describeNext())") }
    }

    /// Skips `text` (`true`, `false` or `null`), which must come next.
    private mutating func literal(_ text: String) throws(SyntaxError) {
        for expected in text.utf8 {
            guard next() == expected else { throw error("invalid literal, expected \(text)") }
        }
    }

    private mutating func skipWhitespace() {
        while let byte = peek(), byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { position += 1 }
    }

    private func peek() -> UInt8? {
        position < bytes.count ? bytes[position] : nil
    }

    private mutating func next() -> UInt8? {
        guard let byte = peek() else { return nil }
        position += 1
        return byte
    }

    /// The next byte for a message: a quoted printable character, a hexadecimal byte or "the end of the header".
    private func describeNext() -> String {
        guard let byte = peek() else { return "the end of the header" }
        return (0x21..<0x7F).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))'" : Self.hex(byte)
    }

    private func error(_ reason: String) -> SyntaxError {
        SyntaxError(reason: "\(reason) at header byte \(position)")
    }

    private static func hex(_ byte: UInt8) -> String {
        "0x" + (byte < 0x10 ? "0" : "") + String(byte, radix: 16, uppercase: true)
    }
}
