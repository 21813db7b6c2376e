import Foundation
import TensorCore
import Training

/// The machine a run computed on, as `config.json` records it: results are reproducible bit for bit on the same
/// kind of CPU (the same OpenBLAS kernels) with the same thread count.
struct MachineDescription: Codable, Equatable {
    var hostname: String
    /// The CPU's model name from `/proc/cpuinfo`, when it gives one.
    var processor: String?
    var cores: Int
    var operatingSystem: String

    /// This machine.
    static var current: MachineDescription {
        let cpuInfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let processor = cpuInfo.split(separator: "\n").first { $0.hasPrefix("model name") }
            .flatMap { $0.split(separator: ":", maxSplits: 1).last }
            .map { $0.trimmingCharacters(in: .whitespaces) }
        return MachineDescription(hostname: EventFileWriter.hostname(), processor: processor, cores: System.coreCount,
                                  operatingSystem: ProcessInfo.processInfo.operatingSystemVersionString)
    }
}
