import Foundation
import Serialization
import TensorCore
import Training

/// `config.json`, written when a search starts: the options as resolved and what else decides the run's bits (the
/// version of this program, the thread count, which is among the options, the OpenBLAS kernels and the direct
/// convolution kernels), and the machine.
/// `ilnas resume` rebuilds the run from it.
struct RunConfiguration: Codable, Equatable {
    /// The version of `ilnas` that started the run.
    var version: String
    var options: SearchOptions
    /// The OpenBLAS kernel family the run computed with: another one changes the last bits of every result.
    var blasKernels: String
    /// The instruction set of the direct small-channel convolutions (`KernelPath`): FMA and non-FMA paths round
    /// differently. Absent in runs started before it was recorded.
    var directKernels: String?
    var machine: MachineDescription

    /// The configuration of a run with `options` started by this process on this machine.
    init(options: SearchOptions) {
        version = ILNASCommand.version
        self.options = options
        blasKernels = BLASKernels.coreName
        directKernels = try? KernelPath.current().rawValue
        machine = .current
    }

    /// The configuration in `folder`'s `config.json`.
    /// - Throws: `CommandFailure` naming the file when it cannot be read or is not a run's configuration.
    init(folder: RunFolder) throws {
        let path = folder.configurationPath
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CommandFailure(message: "\(path): cannot be read (is \(folder.path) the folder of an ilnas search?)")
        }
        do {
            self = try JSONDecoder().decode(Self.self, from: data)
        } catch {
            throw CommandFailure(message: "\(path): not the configuration of a run: \(error)")
        }
    }

    /// Writes `config.json` into `folder`, atomically, creating the folder.
    func write(to folder: RunFolder) throws {
        try AtomicFile.writeJSON(self, to: folder.configurationPath)
    }
}
