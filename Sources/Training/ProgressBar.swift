import Foundation

/// Prints training progress: on a terminal, one line redrawn after every step (epoch, batch,
/// loss, accuracy, parameters, ETA); elsewhere, one line per epoch.
public final class ProgressBar: TrainingCallback {
    private let interactive: Bool
    private var started = Date()
    /// Steps taken before this run of the loop started or resumed, which the ETA does not count.
    private var stepsBefore = 0
    private var runningLoss = 0.0, runningCorrect = 0.0, runningSeen = 0.0
    private let write: (String) -> Void

    /// - Parameters:
    ///   - interactive: redraw a line per step; defaults to whether standard error is a terminal.
    ///   - write: where the progress text goes; defaults to standard error.
    public init(interactive: Bool = isatty(STDERR_FILENO) != 0, write: @escaping (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }) {
        self.interactive = interactive
        self.write = write
    }

    public func handle(_ event: TrainingEvent, loop: TrainingLoop) throws {
        switch event {
        case .trainingStart, .trainingResumed:
            started = Date()
            stepsBefore = loop.globalStep
        case .epochStart:
            runningLoss = 0; runningCorrect = 0; runningSeen = 0
        case let .batchEnd(report):
            runningLoss += Double(report.loss) * Double(report.batchSize)
            runningCorrect += Double(report.accuracy) * Double(report.batchSize)
            runningSeen += Double(report.batchSize)
            guard interactive else { return }
            let total = max(1, loop.plannedEpochs * loop.batchesPerEpoch)
            let done = report.globalStep
            let elapsed = Date().timeIntervalSince(started)
            let eta = elapsed / Double(max(1, done - stepsBefore)) * Double(max(0, total - done))
            let width = 20, filled = min(width, width * done / total)
            let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
            write(String(format: "\r[%@] epoch %d/%d batch %d/%d loss %.4f acc %.2f%% params %d ETA %@ ",
                         bar, report.epoch + 1, loop.plannedEpochs, report.batch + 1, loop.batchesPerEpoch,
                         runningLoss / runningSeen, 100 * runningCorrect / runningSeen, loop.parameterCount, Self.clock(eta)))
        case let .epochEnd(report):
            clearLine()
            let test = report.testAccuracy.map { String(format: " test acc %.2f%% loss %.4f", 100 * $0, report.testLoss ?? 0) } ?? ""
            write(String(format: "epoch %d/%d train loss %.4f acc %.2f%%%@ params %d %.0f img/s %.1fs\n",
                         report.epoch + 1, loop.plannedEpochs, report.trainLoss, 100 * report.trainAccuracy, test,
                         report.parameterCount, report.trainImagesPerSecond, report.trainSeconds))
        case .trainingStopped:
            clearLine()
        case .trainingEnd:
            break
        }
    }

    /// Erases the redrawn line, on a terminal.
    private func clearLine() {
        if interactive { write("\r" + String(repeating: " ", count: 110) + "\r") }
    }

    private static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return String(format: "%d:%02d", s / 60, s % 60)
    }
}
