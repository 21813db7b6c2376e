import ArgumentParser
import Foundation
import Training

/// A run that a signal stopped between two steps, after writing a checkpoint: `ilnas resume` continues it.
struct RunStopped: Error {
    /// Where training stopped.
    let progress: TrainingProgress
    /// The checkpoint written when it stopped.
    let checkpoint: String?
    /// The signal that stopped it, the same on every rank of a data-parallel run (``StopSignal/agreed(_:across:)``).
    let signal: Int32

    /// The exit status of a stopped run: 128 + the signal's number (130 for SIGINT, 143 for SIGTERM).
    var exitStatus: Int32 { 128 + signal }

    /// Runs the work of a command that trains in `folder`, turning what ends it into the command's outcome: a stop
    /// into a message on standard error and ``exitStatus``, an exit status (a quiet rank's) into itself, any other
    /// error into a ``CommandFailure`` (exit status 1).
    static func runCommand(in folder: String, _ work: () throws -> Void) throws {
        StopSignal.install()
        do {
            try work()
        } catch let stopped as RunStopped {
            FileHandle.standardError.write(Data(("stopped by \(StopSignal.name(of: stopped.signal)) at \(stopped.progress); checkpoint: "
                + "\(stopped.checkpoint ?? "none"); continue with: ilnas resume \(folder)\n").utf8))
            throw ExitCode(stopped.exitStatus)
        } catch let status as ExitCode {
            throw status
        } catch {
            throw CommandFailure(error)
        }
    }
}
