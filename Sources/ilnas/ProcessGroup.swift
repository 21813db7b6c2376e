import TensorCore
#if MPI
import MPICommunication
#endif

/// The processes a training command runs with: the ranks of an MPI job when ilnas is built with the package trait
/// `MPI` and started by `mpirun`, otherwise this process alone. Rank 0 writes the run's files and prints; every rank
/// trains on its shard of each batch.
enum ProcessGroup {
    /// Runs `work` with the group's communicator, then ends MPI when it was started (also when `work` throws: every
    /// rank throws the errors that matter to all, such as ranks that disagree, at the same collective step).
    static func run(_ work: (any Communicator) throws -> Void) throws {
        #if MPI
        if MPICommunicator.isLaunchedByMPI {
            let communicator = try MPICommunicator()
            defer { communicator.finalize() }
            try work(communicator)
            return
        }
        #endif
        try work(SingleProcess())
    }
}
