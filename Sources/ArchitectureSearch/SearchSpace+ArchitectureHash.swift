import NeuralNetwork

extension SearchSpace {
    /// A 64-bit FNV-1a hash of the architecture: every searchable parameter's key, shape and mask, in key order. Two
    /// processes that searched in step have the same hash; data-parallel search compares it after every expansion.
    public var architectureHash: UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ byte: UInt8) {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        func mix(_ value: Int) {
            withUnsafeBytes(of: UInt64(truncatingIfNeeded: value).littleEndian) { $0.forEach(mix) }
        }
        for (key, parameter) in parameterTable().sorted(by: { $0.key < $1.key }) {
            key.utf8.forEach(mix)
            mix(0)
            parameter.shape.forEach(mix)
            parameter.mask.flags.forEach(mix)
        }
        return hash
    }
}
