import ArgumentParser
import Foundation
import TensorCore
#if MPI
import MPICommunication
#endif

/// The processes a training command runs with: the ranks of an MPI job when ilnas is built with the package trait
/// `MPI` and started by `mpirun`, otherwise this process alone. Rank 0 writes the run's files and prints; every rank
/// trains on its shard of each batch.
enum ProcessGroup {
    /// Runs `work` with the group's communicator, then ends MPI when it was started. A stop by a signal and a
    /// ``CollectiveError`` happen at the same step on every rank: they end MPI normally, rank 0 reports them and the
    /// other ranks exit with the same status quietly. Any other error may be one rank's alone while the others wait
    /// in a collective operation, so it is printed with the rank and aborts the whole job.
    static func run(_ work: (any Communicator) throws -> Void) throws {
        #if MPI
        if MPICommunicator.isLaunchedByMPI {
            let communicator = try MPICommunicator()
            do {
                try work(communicator)
            } catch let stopped as RunStopped {
                communicator.finalize()
                throw communicator.rank == 0 ? stopped : ExitCode(stopped.exitStatus)
            } catch let error as CollectiveError where error.isCollective {
                communicator.finalize()
                throw communicator.rank == 0 ? error : ExitCode.failure
            } catch {
                FileHandle.standardError.write(Data("error (rank \(communicator.rank) of \(communicator.size)): \(error)\n".utf8))
                communicator.abort(status: 1)
            }
            communicator.finalize()
            return
        }
        #endif
        try requireAlone(because: "this ilnas was built without MPI (build it with swift build -c release --traits MPI)")
        try work(SingleProcess())
    }

    /// Throws when an MPI launcher started this process as one of several that do not train together (`reason` says
    /// why not): each would run the whole job alone into the same folder.
    static func requireAlone(because reason: String) throws {
        let environment = ProcessInfo.processInfo.environment
        if let launched = ["OMPI_COMM_WORLD_SIZE", "PMI_SIZE"].lazy.compactMap({ environment[$0].flatMap(Int.init) }).first, launched > 1 {
            throw CommandFailure(message: "started by an MPI launcher as one of \(launched) processes, but \(reason): "
                + "each would run the whole job alone into the same folder")
        }
    }
}
