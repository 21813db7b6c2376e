#if MPI
/// An MPI call that failed, with its error code.
public struct MPIError: Error, CustomStringConvertible {
    public let operation: String
    public let code: Int
    public let detail: String?

    public var description: String {
        "MPI: \(operation) failed (error \(code))" + (detail.map { ": \($0)" } ?? "")
    }
}
#endif
