import TensorCore

extension RandomGenerator {
    /// The ``state`` as four words of 16 hexadecimal digits, for JSON, whose numbers lose bits past 2^53.
    var hexadecimalState: [String] {
        state.map { word in
            let digits = String(word, radix: 16)
            return String(repeating: "0", count: 16 - digits.count) + digits
        }
    }

    /// The generator whose ``hexadecimalState`` is `words`; `nil` unless they are four words of 16 hexadecimal
    /// digits, not all zero.
    init?(hexadecimalState words: [String]) {
        let values = words.compactMap { $0.count == 16 ? UInt64($0, radix: 16) : nil }
        guard values.count == words.count else { return nil }
        self.init(state: values)
    }
}
