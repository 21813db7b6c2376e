/// The collective operations data-parallel training needs from a group of processes ("ranks") that run the same
/// program: summing buffers across all of them and checking that they agree.
///
/// Every rank must call the same collective operations in the same order with buffers of the same length; a
/// process alone is a group of one (``SingleProcess``). An implementation over MPI lives in the `MPICommunication`
/// module, built with the package trait `MPI`.
public protocol Communicator: AnyObject {
    /// This process's number in the group, `0..<size`; rank 0 writes the files and prints progress.
    var rank: Int { get }
    /// The number of processes in the group.
    var size: Int { get }
    /// Replaces `values` on every rank with the element-wise sum of all ranks' `values`.
    func allReduceSum(_ values: UnsafeMutableBufferPointer<Float>) throws
    /// Replaces `values` on every rank with the element-wise sum of all ranks' `values`.
    func allReduceSum(_ values: UnsafeMutableBufferPointer<Double>) throws
    /// Whether every rank passed the same `value` (all ranks get the same answer).
    func allAgree(on value: UInt64) throws -> Bool
}

extension Communicator {
    /// Whether this process is the only one.
    public var isAlone: Bool { size == 1 }

    /// Sums `values` across the ranks.
    public func allReduceSum(_ values: inout [Double]) throws {
        try values.withUnsafeMutableBufferPointer { try allReduceSum($0) }
    }

    /// Sums `tensors` element-wise across the ranks in ONE reduction: they are packed into one buffer in the given
    /// order (shapes and order must be the same on every rank), summed, and returned with their shapes.
    public func allReduceSum(_ tensors: [Tensor]) throws -> [Tensor] {
        if isAlone { return tensors }
        var packed: [Float] = []
        packed.reserveCapacity(tensors.reduce(0) { $0 + $1.count })
        for tensor in tensors { packed.append(contentsOf: tensor.scalars) }
        try packed.withUnsafeMutableBufferPointer { try allReduceSum($0) }
        var offset = 0
        return tensors.map { tensor in
            defer { offset += tensor.count }
            return Tensor(shape: tensor.shape, scalars: Array(packed[offset..<(offset + tensor.count)]))
        }
    }

    /// The rows of every batch that this rank handles.
    public var batchShard: BatchShard { BatchShard(rank: rank, of: size) }

    /// The contiguous part `start..<end` of `0..<count` items that this rank handles: the ranks split the items in
    /// order into parts whose sizes differ by at most one (rank 0 first); see ``BatchShard``.
    public func shard(of count: Int) -> Range<Int> {
        batchShard.rows(of: count)
    }
}

/// The group of one process: collectives leave the values as they are.
public final class SingleProcess: Communicator {
    public init() {}
    public var rank: Int { 0 }
    public var size: Int { 1 }
    public func allReduceSum(_ values: UnsafeMutableBufferPointer<Float>) throws {}
    public func allReduceSum(_ values: UnsafeMutableBufferPointer<Double>) throws {}
    public func allAgree(on value: UInt64) throws -> Bool { true }
}
