/// An error that every process of a data-parallel group throws at the same point, because it follows from values they
/// all hold after a collective operation (a summed loss, compared hashes). The processes can then end together, rank 0
/// reporting the error and the others ending quietly, where an error of one process alone has to end the whole job.
public protocol CollectiveError: Error {
    /// Whether this error is one that every process throws at the same point.
    var isCollective: Bool { get }
}
