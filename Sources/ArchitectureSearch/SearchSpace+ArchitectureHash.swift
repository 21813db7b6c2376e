import NeuralNetwork

extension SearchSpace {
    /// A 64-bit FNV-1a hash of the architecture: every searchable parameter's key, shape and mask, in key order. Two
    /// processes that searched in step have the same hash; data-parallel search compares it after every expansion.
    public var architectureHash: UInt64 {
        var hash = StableHash()
        for (key, parameter) in parameterTable().sorted(by: { $0.key < $1.key }) {
            hash.mix(key)
            parameter.shape.forEach { hash.mix($0) }
            hash.mix(bytes: parameter.mask.flags)
        }
        return hash.value
    }

    /// A 64-bit FNV-1a hash of the network's weights: every parameter's shape and the bits of its values, in the
    /// network's order. Processes that start a data-parallel step hold the same weights, so the same hash.
    public var weightHash: UInt64 {
        var hash = StableHash()
        for parameter in network.parameters {
            parameter.shape.forEach { hash.mix($0) }
            parameter.value.withUnsafeBufferPointer { values in
                for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { hash.mix(bytes: $0) } }
            }
        }
        return hash.value
    }
}
