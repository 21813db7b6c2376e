import ArgumentParser
import Foundation
import TensorCore

/// `ilnas resume RUN`: continues an interrupted `ilnas search` from the newest checkpoint in RUN that reads back.
struct ResumeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Continue an interrupted search from its newest checkpoint.",
        discussion: """
            Reads the run's options from RUN/config.json, rebuilds its data, network, optimizer, schedules and \
            callbacks, loads the newest checkpoint in RUN/checkpoints that reads back (a damaged newer one is \
            reported, renamed to *.rejected and skipped) and trains on with the next step, on as many threads as the \
            run had. The run ends with the same architecture and weights, bit for bit, as if it had never been \
            interrupted (on the same kind of CPU: other OpenBLAS kernels change the last bits, and are warned of). \
            Without a checkpoint the run starts from the beginning.
            """
    )

    @Argument(help: ArgumentHelp("The run folder: the --out of ilnas search.", valueName: "run"))
    var runFolder: String
    @Flag(help: "Print only the final JSON line.")
    var quiet = false

    func run() throws {
        try RunStopped.runCommand(in: runFolder) { try ProcessGroup.run(resume) }
    }

    /// The resumed search with the processes of `communicator`: rank 0 prints and writes the files.
    private func resume(communicator: any Communicator) throws {
        let quiet = self.quiet || communicator.rank != 0
        let folder = RunFolder(path: runFolder)
        let configuration = try RunConfiguration(folder: folder)
        let options = configuration.options
        try ComputeThreads.configure(threads: options.threads)
        if communicator.rank == 0 { warnOfDifferences(from: configuration) }
        var data = try SearchData.load(directory: options.data, seed: options.seed,
                                       adaptingTo: try options.from.map { try RunFolder(path: $0).network().inputShape },
                                       images: options.images)
        data.preparation.augmentation = options.augment
        try SearchJob(options: options, data: data, out: runFolder, resuming: true, quiet: quiet, communicator: communicator).run()
    }

    /// Warns on standard error of what makes the resumed run differ in the last bits from an uninterrupted one: other
    /// OpenBLAS kernels, other direct convolution kernels, another version of ilnas.
    private func warnOfDifferences(from configuration: RunConfiguration) {
        if configuration.blasKernels != BLASKernels.coreName {
            FileHandle.standardError.write(Data(("warning: the run computed with OpenBLAS's \(configuration.blasKernels) kernels, "
                + "this process with \(BLASKernels.coreName): the results will differ in the last bits from an uninterrupted run\n").utf8))
        }
        if let recorded = configuration.directKernels, let current = try? KernelPath.current().rawValue, recorded != current {
            FileHandle.standardError.write(Data(("warning: the run's direct convolutions computed with the \(recorded) kernels, "
                + "this process with \(current): the results will differ in the last bits from an uninterrupted run\n").utf8))
        }
        if configuration.version != ILNASCommand.version {
            FileHandle.standardError.write(Data(("warning: the run was started by ilnas \(configuration.version), "
                + "this is \(ILNASCommand.version)\n").utf8))
        }
    }
}
