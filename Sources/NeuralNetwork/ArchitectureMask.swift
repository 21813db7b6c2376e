import TensorCore

/// The Boolean architecture vector α of one parameter tensor (Section 3.1 of the paper).
///
/// Entry `i` is `true` when weight `i` is part of the architecture. The network computes
/// with `α ⊙ W`: absent entries are held at exactly zero, yet still receive the true loss
/// gradient `∂L/∂(α_i W_i)`, which the search uses to score them. A mask is a value,
/// separate from the weights, so several architectures can share one weight set.
public struct ArchitectureMask: Sendable, Equatable {
    /// The shape of the parameter tensor this mask belongs to.
    public private(set) var shape: [Int]
    /// One flag per entry, row-major, `1` for present and `0` for absent.
    public private(set) var flags: [UInt8]
    /// The number of present entries, |α|.
    public private(set) var activeCount: Int

    /// A mask with every entry present (`true`) or absent (`false`).
    public init(shape: [Int], allActive: Bool) {
        self.shape = shape
        let count = shape.reduce(1, *)
        flags = [UInt8](repeating: allActive ? 1 : 0, count: count)
        activeCount = allActive ? count : 0
    }

    /// A mask from explicit flags.
    public init(shape: [Int], flags: [Bool]) {
        precondition(shape.reduce(1, *) == flags.count, "mask shape \(shape) does not match \(flags.count) flags")
        self.shape = shape
        self.flags = flags.map { $0 ? 1 : 0 }
        activeCount = flags.lazy.filter { $0 }.count
    }

    /// The number of entries, present or absent.
    public var count: Int { flags.count }
    /// Whether every entry is present.
    public var isFull: Bool { activeCount == flags.count }

    /// Whether entry `index` is present.
    @inlinable public func isActive(_ index: Int) -> Bool { flags[index] != 0 }

    /// Marks entry `index` present or absent.
    public mutating func set(_ index: Int, active: Bool) {
        let old = flags[index] != 0
        guard old != active else { return }
        flags[index] = active ? 1 : 0
        activeCount += active ? 1 : -1
    }

    /// The flat indices of the absent entries.
    public var absentIndices: [Int] {
        flags.indices.filter { flags[$0] == 0 }
    }

    /// A copy re-laid out for a larger parameter tensor; `embedding` maps every old flat index to its new one.
    /// New entries are absent.
    public func embedded(in newShape: [Int], embedding: (Int) -> Int) -> ArchitectureMask {
        var grown = ArchitectureMask(shape: newShape, allActive: false)
        for index in flags.indices where flags[index] != 0 {
            grown.set(embedding(index), active: true)
        }
        return grown
    }
}
