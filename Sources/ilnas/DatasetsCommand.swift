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

/// `ilnas datasets verify PATH`: the files of a dataset folder, or a downloaded archive, against the sizes and SHA-256
/// digests of the published files.
struct VerifyDatasetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check a dataset folder's files, or a downloaded archive, against the published sizes and SHA-256 digests.",
        discussion: """
            Given a folder, recognises its format as ilnas search --data does, then checks each file of that dataset \
            (MNIST, CIFAR-10, CIFAR-100 or STL-10 binary; the table is in Datasets.md): its size, then its SHA-256 where \
            one is recorded (for the unpacked CIFAR and STL-10 files only sizes are, and the file's digest is printed). \
            Given a downloaded archive (cifar-10-binary.tar.gz, cifar-100-binary.tar.gz or stl10_binary.tar.gz), checks \
            its size and SHA-256. One line per file: ok, MISSING, WRONG SIZE or WRONG SHA-256 with the expected and the \
            actual value. Exit status 1 if any file is missing or wrong, or the path holds no dataset of the table.
            """
    )

    @Argument(help: ArgumentHelp("The dataset folder, as given to ilnas search --data, or a downloaded archive.", valueName: "path"))
    var path: String

    func run() throws {
        let (dataset, results): (KnownDataset, [FileVerification])
        do {
            (dataset, results) = try KnownDataset.verify(path: path)
        } catch {
            throw CommandFailure(error)
        }
        for result in results { print(result) }
        let bad = results.filter { !$0.isValid }
        guard bad.isEmpty else {
            throw CommandFailure(message: "\(path): \(bad.count) of the \(dataset.name) files "
                + "missing or not as published: " + bad.map { ($0.path as NSString).lastPathComponent }.joined(separator: ", "))
        }
        let unrecorded = results.filter { if case .sizeMatchesDigestUnrecorded = $0.outcome { true } else { false } }.count
        print(unrecorded == 0 ? "\(path): the \(dataset.name) files are as published"
              : "\(path): the \(dataset.name) files have the published sizes (\(unrecorded) without a recorded SHA-256 to check)")
    }
}

