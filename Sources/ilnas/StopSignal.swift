import Foundation
import Synchronization
import TensorCore

/// SIGINT and SIGTERM turned into a request to stop: the handler only records the signal (and restores the default
/// action, so that a second one ends the process at once), and the training loop, which asks ``received`` after every
/// step, finishes the step, writes a checkpoint and stops. The command then exits with 128 + the signal's number
/// (130 for SIGINT, 143 for SIGTERM), as a shell reports a process the signal ended.
enum StopSignal {
    /// The signal received, 0 before any.
    private static let signalNumber = Atomic<Int32>(0)

    /// Installs the handlers of SIGINT and SIGTERM.
    static func install() {
        for number in [SIGINT, SIGTERM] {
            signal(number) { number in
                StopSignal.signalNumber.store(number, ordering: .relaxed)
                signal(number, SIG_DFL)
            }
        }
    }

    /// The signal that asked the run to stop, if one has.
    static var received: Int32? {
        let number = signalNumber.load(ordering: .relaxed)
        return number == 0 ? nil : number
    }

    /// The signal a stopped run reports on every rank, given `local`, the one this rank received (if any). The training
    /// loop stops every rank at the step after any of them received a signal, so a rank may stop without one: it reports
    /// the others', SIGINT when any rank received SIGINT and SIGTERM otherwise. One process alone reports its own, and
    /// SIGTERM when it received none. Every rank must call this at the same point (it sums a count across them).
    static func agreed(_ local: Int32?, across communicator: any Communicator) throws -> Int32 {
        var interrupts = [local == SIGINT ? 1.0 : 0.0]
        try communicator.allReduceSum(&interrupts)
        return interrupts[0] > 0 ? SIGINT : SIGTERM
    }

    /// The name of `number`, one of the two signals handled: `SIGINT` or `SIGTERM`.
    static func name(of number: Int32) -> String {
        number == SIGINT ? "SIGINT" : "SIGTERM"
    }
}
