import TensorCore

/// A trainable tensor with its gradient, its architecture mask and its optimizer state.
///
/// A `Parameter` is a class because its identity matters: layers, optimizers and the
/// architecture search all refer to the same parameter. Invariants:
/// - `value` is exactly zero wherever `mask` is absent, so a layer may compute with `value`
///   directly and is computing with `α ⊙ W`;
/// - `gradient` holds `∂L/∂(α ⊙ W)` for every entry, present or absent;
/// - optimizer state lives in `optimizerState`, shaped like `value`, so that growth and
///   re-initialisation of single entries keep every per-entry buffer aligned.
public final class Parameter {
    /// What the parameter is for; the search treats weights and biases alike, reports tell them apart.
    public enum Role: String, Sendable, Codable {
        case weight, bias, scale, shift
    }

    /// A readable name such as `conv1.weight`.
    public var name: String
    /// The role of this tensor in its layer.
    public let role: Role
    /// The current values, `α ⊙ W`.
    public var value: Tensor
    /// The accumulated loss gradient with respect to `α ⊙ W`.
    public var gradient: Tensor
    /// The architecture α of this tensor.
    public var mask: ArchitectureMask
    /// Whether the architecture search may change this tensor's mask (batch-norm scales are not searched).
    public var isSearchable: Bool
    /// Per-entry optimizer buffers (momentum, moments), keyed by the optimizer's slot name.
    public var optimizerState: [String: Tensor] = [:]

    /// Creates a parameter whose entries are all present.
    public init(name: String, role: Role, value: Tensor, isSearchable: Bool = true) {
        self.name = name
        self.role = role
        self.value = value
        self.gradient = Tensor(zeros: value.shape)
        self.mask = ArchitectureMask(shape: value.shape, allActive: true)
        self.isSearchable = isSearchable
    }

    /// The shape of the tensor.
    public var shape: [Int] { value.shape }
    /// The number of entries, present or absent.
    public var count: Int { value.count }
    /// The number of present entries: what this tensor adds to the network's parameter count.
    public var activeCount: Int { mask.activeCount }

    /// Sets the gradient to zero.
    public func zeroGradient() {
        gradient.withUnsafeMutableBufferPointer { buffer in
            buffer.update(repeating: 0)
        }
    }

    /// Replaces the architecture mask, zeroing the values of entries that become absent
    /// and resetting their optimizer state.
    public func applyMask(_ newMask: ArchitectureMask) {
        precondition(newMask.shape == value.shape, "mask shape \(newMask.shape) does not match parameter \(name) \(value.shape)")
        mask = newMask
        for index in 0..<value.count where !newMask.isActive(index) {
            value[flat: index] = 0
        }
        for key in stateKeys {
            optimizerState[key]?.withUnsafeMutableBufferPointer { state in
                for index in 0..<state.count where !newMask.isActive(index) { state[index] = 0 }
            }
        }
    }

    /// Adds the absent entry `index` to the architecture with value `initialValue` (zero by
    /// default, so the network's output does not change) and fresh optimizer state.
    public func activate(_ index: Int, initialValue: Float = 0) {
        mask.set(index, active: true)
        value[flat: index] = initialValue
        resetOptimizerState(at: index)
    }

    /// Removes entry `index` from the architecture: its value becomes zero.
    public func deactivate(_ index: Int) {
        mask.set(index, active: false)
        value[flat: index] = 0
        resetOptimizerState(at: index)
    }

    /// Clears every optimizer buffer of entry `index`.
    public func resetOptimizerState(at index: Int) {
        for key in stateKeys {
            optimizerState[key]?[flat: index] = 0
        }
    }

    /// The optimizer-state names, copied out: iterating `optimizerState.keys` itself would keep the dictionary's
    /// storage shared while it is mutated, and every write would copy all of its tensors.
    private var stateKeys: [String] { Array(optimizerState.keys) }

    /// Re-lays the parameter out in a larger shape. `embedding` maps each old flat index to its
    /// new flat index; entries without a preimage are absent, zero-valued and have fresh state.
    public func grow(to newShape: [Int], embedding: (Int) -> Int) {
        func embed(_ tensor: Tensor) -> Tensor {
            var grown = Tensor(zeros: newShape)
            grown.withUnsafeMutableBufferPointer { target in
                tensor.withUnsafeBufferPointer { source in
                    for index in source.indices {
                        let position = embedding(index)
                        precondition(target.indices.contains(position), "parameter \(name): entry \(index) embedded at \(position), outside \(newShape)")
                        target[position] = source[index]
                    }
                }
            }
            return grown
        }
        value = embed(value)
        gradient = embed(gradient)
        mask = mask.embedded(in: newShape, embedding: embedding)
        for (key, state) in optimizerState { optimizerState[key] = embed(state) }
    }

    /// Grows every dimension to `newShape` (same rank, no dimension smaller), keeping each entry at
    /// the same multi-dimensional index. New entries are absent and zero.
    public func grow(to newShape: [Int]) {
        let oldShape = shape
        precondition(oldShape.count == newShape.count && zip(oldShape, newShape).allSatisfy { $0 <= $1 },
                     "parameter \(name) cannot grow from \(oldShape) to \(newShape)")
        // Each row of the last axis stays contiguous: only where rows start changes.
        let row = max(1, oldShape.last ?? 1)
        var rowStarts: [Int] = []
        rowStarts.reserveCapacity(count / row)
        var index = [Int](repeating: 0, count: max(0, oldShape.count - 1))
        for _ in 0..<(count / row) {
            var start = 0, stride = newShape.last ?? 1
            for axis in index.indices.reversed() {
                start += index[axis] * stride
                stride *= newShape[axis]
            }
            rowStarts.append(start)
            for axis in index.indices.reversed() {
                index[axis] += 1
                if index[axis] < oldShape[axis] { break }
                index[axis] = 0
            }
        }
        grow(to: newShape) { flat in rowStarts[flat / row] + flat % row }
    }

    /// An independent copy: values, gradient, mask and optimizer state, under the same name.
    public func copy() -> Parameter {
        let clone = Parameter(name: name, role: role, value: value, isSearchable: isSearchable)
        clone.gradient = gradient
        clone.mask = mask
        clone.optimizerState = optimizerState
        return clone
    }
}
