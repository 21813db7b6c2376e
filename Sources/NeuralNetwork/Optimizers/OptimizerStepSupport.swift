import TensorCore

/// What every optimizer step does around its element-wise update: validation, state slots, threading.
enum OptimizerStepSupport {
    /// The fewest entries worth a thread of their own. Measured with caches evicted between steps,
    /// as a forward and backward pass do: SGD and Adam on two threads were slower than on one for
    /// 150k entries, and about 25% faster from 600k on, where memory bandwidth limits both.
    static let minimumEntriesPerThread = 1 << 17

    /// The distinct parameters of `parameters` in order, after checking the learning rate and every
    /// parameter's shapes, so that a step either updates everything or nothing.
    static func validated(_ parameters: [Parameter], learningRate: Float, owner: String) throws -> [Parameter] {
        try OptimizerError.requireNonNegative(learningRate, "learning rate", of: owner)
        var seen = Set<ObjectIdentifier>()
        var distinct: [Parameter] = []
        for parameter in parameters where seen.insert(ObjectIdentifier(parameter)).inserted {
            guard parameter.gradient.shape == parameter.value.shape else {
                throw OptimizerError.shapeMismatch(parameter: parameter.name, tensor: "gradient",
                                                   expected: parameter.value.shape, actual: parameter.gradient.shape)
            }
            guard parameter.mask.shape == parameter.value.shape else {
                throw OptimizerError.shapeMismatch(parameter: parameter.name, tensor: "mask",
                                                   expected: parameter.value.shape, actual: parameter.mask.shape)
            }
            distinct.append(parameter)
        }
        return distinct
    }

    /// Runs `body` over 0..<count, split across ``ComputeThreads`` when the tensor is large enough to gain from it.
    static func forEachRange(_ count: Int, _ body: (Range<Int>) -> Void) {
        ComputeThreads.forEachRange(count, minimumPerChunk: minimumEntriesPerThread, body)
    }

    /// All ones for a present entry (mask flag 1), all zeros for an absent one (flag 0).
    ///
    /// Masked loops compute every entry and keep the result through this mask with ``kept(_:_:)``:
    /// a bitwise select vectorises where a branch or a conditional would not, and it turns whatever
    /// was computed for an absent entry, even NaN, into exactly +0.
    @inline(__always) static func keepBits(_ flag: UInt8) -> UInt32 {
        0 &- UInt32(flag)
    }

    /// `value` where `bits` is ``keepBits(_:)`` of a present entry, +0 where it is of an absent one.
    @inline(__always) static func kept(_ value: Float, _ bits: UInt32) -> Float {
        Float(bitPattern: value.bitPattern & bits)
    }
}

extension Parameter {
    /// Removes optimizer buffer `key` from ``optimizerState`` and returns it, so that it can be updated
    /// in place alongside other buffers; a missing buffer, or one whose shape no longer matches the
    /// value, comes back as fresh zeros. The caller stores the buffer back under `key`.
    func takeOptimizerSlot(_ key: String) -> Tensor {
        if let slot = optimizerState.removeValue(forKey: key), slot.shape == value.shape {
            return slot
        }
        return Tensor(zeros: value.shape)
    }
}
