import ArchitectureSearch
import Foundation
import Training

/// The checkpoints of a run, in `RUN/checkpoints/`: `epoch-<n>.safetensors` after `n` finished epochs and
/// `epoch-<n>-batch-<b>.safetensors` `b` steps further (where a stopped run was). Writing one keeps it and the one
/// before it, so that a damaged newest file still leaves one to resume from.
struct CheckpointFolder {
    /// How many checkpoints are kept.
    static let kept = 2

    let path: String

    /// The file of the checkpoint at `progress`.
    func file(for progress: TrainingProgress) -> String {
        let name = progress.batch == 0 ? "epoch-\(progress.epoch)" : "epoch-\(progress.epoch)-batch-\(progress.batch)"
        return (path as NSString).appendingPathComponent("\(name).safetensors")
    }

    /// Writes `checkpoint` (creating the folder) and removes all but the ``kept`` newest; returns its file.
    @discardableResult
    func write(_ checkpoint: SearchCheckpoint<SearchOptions>) throws -> String {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let file = file(for: checkpoint.progress)
        try checkpoint.write(toFile: file)
        for old in try files().dropFirst(Self.kept) { try FileManager.default.removeItem(atPath: old) }
        return file
    }

    /// The newest checkpoint that reads back, and its file, or `nil` when there is none. A newer file that does not
    /// read back (damaged, or not a checkpoint of this build) is reported through `report` with the reason, and renamed
    /// to `<name>.rejected` so that it is neither tried nor kept in place of good ones again.
    /// Temporary files of writes that a kill interrupted (`AtomicFile` names them `.<name>.<id>.tmp`) are removed
    /// first, with a message. Without `tidies` (the other ranks of a data-parallel run, which share the folder with
    /// rank 0) nothing is removed, renamed or reported: a file that does not read back is only skipped.
    func newestValid(tidies: Bool = true, report: (String) -> Void) throws -> (checkpoint: SearchCheckpoint<SearchOptions>, file: String)? {
        for temporary in try interruptedWrites() where tidies {
            try FileManager.default.removeItem(atPath: temporary)
            report("removed \(temporary): a checkpoint write that was interrupted")
        }
        for file in try files() {
            do {
                return (try SearchCheckpoint<SearchOptions>(contentsOfFile: file), file)
            } catch where tidies {
                let rejected = file + ".rejected"
                try? FileManager.default.removeItem(atPath: rejected)
                try FileManager.default.moveItem(atPath: file, toPath: rejected)
                report("skipping a checkpoint that does not read back (renamed to \(rejected)): \(error)")
            } catch {
                continue
            }
        }
        return nil
    }

    /// Removes the folder with every checkpoint in it: a fresh run in a used folder must not resume an earlier run.
    func removeAll() throws {
        guard FileManager.default.fileExists(atPath: path) else { return }
        try FileManager.default.removeItem(atPath: path)
    }

    /// The temporary files that checkpoint writes left behind when the process was killed before their rename.
    func interruptedWrites() throws -> [String] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        return try FileManager.default.contentsOfDirectory(atPath: path).sorted()
            .filter { $0.hasPrefix(".epoch-") && $0.hasSuffix(".tmp") }
            .map { (path as NSString).appendingPathComponent($0) }
    }

    /// The checkpoint files, newest first.
    func files() throws -> [String] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        let positions = try FileManager.default.contentsOfDirectory(atPath: path).compactMap { name -> (epoch: Int, batch: Int, name: String)? in
            guard name.hasPrefix("epoch-"), name.hasSuffix(".safetensors") else { return nil }
            let numbers = name.dropFirst("epoch-".count).dropLast(".safetensors".count).split(separator: "-batch-", omittingEmptySubsequences: false)
            guard let epoch = numbers.first.flatMap({ Int($0) }), numbers.count <= 2 else { return nil }
            guard numbers.count == 1 else { return Int(numbers[1]).map { (epoch, $0, name) } }
            return (epoch, 0, name)
        }
        return positions.sorted { ($0.epoch, $0.batch) > ($1.epoch, $1.batch) }.map { (path as NSString).appendingPathComponent($0.name) }
    }
}
