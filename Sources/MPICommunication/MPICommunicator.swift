#if MPI
import CMPI
import Foundation
import TensorCore

/// The processes of an MPI job (`MPI_COMM_WORLD`) as a ``Communicator``: sums are `MPI_Allreduce` in place.
///
/// ```swift
/// let communicator = try MPICommunicator()   // MPI_Init_thread
/// loop.communicator = communicator            // data-parallel training
/// ...
/// communicator.finalize()                     // MPI_Finalize, before the process ends
/// ```
public final class MPICommunicator: Communicator {
    public let rank: Int
    public let size: Int

    /// Whether this process was started by an MPI launcher (`mpirun`, `mpiexec`, `srun`): its environment holds the
    /// rank or the job's size that Open MPI, PMIx or PMI set.
    public static var isLaunchedByMPI: Bool {
        let environment = ProcessInfo.processInfo.environment
        return ["OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"].contains { environment[$0] != nil }
    }

    /// Initialises MPI (once per process) and reads this process's rank and the job's size.
    /// - Throws: ``MPIError`` when MPI fails to start.
    public init() throws {
        var initialised: Int32 = 0
        try Self.check(MPI_Initialized(&initialised), "MPI_Initialized")
        if initialised == 0 {
            // Compute threads and OpenBLAS run threads, but only the main thread calls MPI.
            var provided: Int32 = 0
            try Self.check(MPI_Init_thread(nil, nil, Int32(MPI_THREAD_FUNNELED), &provided), "MPI_Init_thread")
            guard provided >= Int32(MPI_THREAD_FUNNELED) else {
                throw MPIError(operation: "MPI_Init_thread", code: -1,
                               detail: "the MPI library provides thread level \(provided), not MPI_THREAD_FUNNELED")
            }
        }
        var rank: Int32 = 0, size: Int32 = 0
        try Self.check(MPI_Comm_rank(ilnas_mpi_comm_world(), &rank), "MPI_Comm_rank")
        try Self.check(MPI_Comm_size(ilnas_mpi_comm_world(), &size), "MPI_Comm_size")
        self.rank = Int(rank)
        self.size = Int(size)
    }

    public func allReduceSum(_ values: UnsafeMutableBufferPointer<Float>) throws {
        try allReduce(UnsafeMutableRawPointer(values.baseAddress), count: values.count, type: ilnas_mpi_float(), operation: ilnas_mpi_sum())
    }

    public func allReduceSum(_ values: UnsafeMutableBufferPointer<Double>) throws {
        try allReduce(UnsafeMutableRawPointer(values.baseAddress), count: values.count, type: ilnas_mpi_double(), operation: ilnas_mpi_sum())
    }

    public func allAgree(on value: UInt64) throws -> Bool {
        var smallest = value, largest = value
        try allReduce(&smallest, count: 1, type: ilnas_mpi_uint64(), operation: ilnas_mpi_min())
        try allReduce(&largest, count: 1, type: ilnas_mpi_uint64(), operation: ilnas_mpi_max())
        return smallest == largest
    }

    /// Ends MPI (`MPI_Finalize`); every process calls it once, after its last collective operation.
    public func finalize() {
        var finalised: Int32 = 0
        MPI_Finalized(&finalised)
        if finalised == 0 { MPI_Finalize() }
    }

    /// Ends every process of the job with exit status `status` (`MPI_Abort`): what one rank does when it fails
    /// alone, since the others would wait for it in their next collective operation.
    public func abort(status: Int32) -> Never {
        MPI_Abort(ilnas_mpi_comm_world(), status)
        exit(status)
    }

    private func allReduce(_ buffer: UnsafeMutableRawPointer?, count: Int, type: MPI_Datatype, operation: MPI_Op) throws {
        guard count > 0 else { return }
        guard count <= Int(Int32.max) else { throw MPIError(operation: "MPI_Allreduce", code: -1, detail: "\(count) elements exceed MPI's count") }
        try Self.check(MPI_Allreduce(ilnas_mpi_in_place(), buffer, Int32(count), type, operation, ilnas_mpi_comm_world()), "MPI_Allreduce")
    }

    private static func check(_ code: Int32, _ operation: String) throws {
        guard code == ilnas_mpi_success() else { throw MPIError(operation: operation, code: Int(code), detail: nil) }
    }
}
#endif
