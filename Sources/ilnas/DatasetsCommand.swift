import ArgumentParser
import Datasets
import Foundation

/// `ilnas datasets`: tools for dataset folders.
struct DatasetsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "datasets",
        abstract: "Check dataset folders.",
        subcommands: [VerifyDatasetCommand.self]
    )
}

/// `ilnas datasets verify DIR`: the files of DIR against the sizes and SHA-256 digests of the published files.
struct VerifyDatasetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check a dataset folder's files against the published sizes and SHA-256 digests.",
        discussion: """
            Recognises the format of DIR as ilnas search --data does, then checks each file of that dataset (MNIST, \
            CIFAR-10, CIFAR-100 or STL-10 binary; the table is in Datasets.md): its size, then its SHA-256 where one is \
            recorded (for CIFAR and STL-10 only sizes are, and the file's digest is printed). One line per file: ok, \
            MISSING, WRONG SIZE or WRONG SHA-256 with the expected and the actual value. Exit status 1 if any file is \
            missing or wrong, or the folder holds no dataset of the table.
            """
    )

    @Argument(help: ArgumentHelp("The dataset folder, as given to ilnas search --data.", valueName: "dir"))
    var directory: String

    func run() throws {
        let results: [FileVerification]
        let dataset: KnownDataset
        do {
            dataset = try KnownDataset.matching(directory: directory)
            results = try dataset.verify(directory: directory)
        } catch {
            throw CommandFailure(error)
        }
        for result in results { print(result) }
        let bad = results.filter { !$0.isValid }
        guard bad.isEmpty else {
            throw CommandFailure(message: "\(directory): \(bad.count) of the \(dataset.name) files "
                + "missing or not as published: " + bad.map { ($0.path as NSString).lastPathComponent }.joined(separator: ", "))
        }
        let unrecorded = results.filter { if case .sizeMatchesDigestUnrecorded = $0.outcome { true } else { false } }.count
        print(unrecorded == 0 ? "\(directory): the \(dataset.name) files are as published"
              : "\(directory): the \(dataset.name) files have the published sizes (\(unrecorded) without a recorded SHA-256 to check)")
    }
}
