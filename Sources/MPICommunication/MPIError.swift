#if MPI
/// An MPI call that failed, with its error code.
public struct MPIError: Error, CustomStringConvertible {
    /// The MPI function, such as `MPI_Allreduce`.
    public let operation: String
    /// Its return code (-1 for a check of this framework's own, such as a count MPI cannot take).
    public let code: Int
    /// What went wrong, where more is known than the code.
    public let detail: String?

    public var description: String {
        "MPI: \(operation) failed (error \(code))" + (detail.map { ": \($0)" } ?? "")
    }
}
#endif
