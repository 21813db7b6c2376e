import Datasets
import Foundation

/// One experiment program's run: its options, the paper-scale data check, the `ilnas` runner, and its report.
public struct Experiment {
    public let name: String
    public let options: ExperimentOptions
    public let runner: ILNASRunner
    private let machine = Machine.current()   // before any work, so that its load average is the machine's own
    private let start = Date()

    /// Checks that the datasets of the scale are below `--data-root` (the paper's at paper scale, `quickData` at quick
    /// scale: the embedded digits need no file) before anything runs, and finds `ilnas`.
    /// - Throws: ``MissingData`` listing what is missing and where to get it.
    public init(name: String, options: ExperimentOptions, paperData: [PaperDataset], quickData: [PaperDataset] = []) throws {
        let needed = options.scale == .paper ? paperData : quickData
        if let missing = MissingData.check(needed, root: options.dataRoot, experiment: name, scale: options.scale) { throw missing }
        self.name = name
        self.options = options
        runner = try ILNASRunner(runs: options.runRoot, threads: options.threads)
        print("\(name), scale \(options.scale.rawValue): runs in \(options.runRoot.path)")
    }

    /// The `--data` folder of one of the paper's datasets at paper scale.
    public func directory(_ dataset: PaperDataset) -> String {
        dataset.directory(root: options.dataRoot)
    }

    /// The data a transfer moves to: `dataset` at paper scale; at quick scale the MNIST subset that stands in for any
    /// of them (see ``transferStandIn(for:epochs:)``).
    public func transferData(_ dataset: PaperDataset) throws -> String {
        options.scale == .paper ? directory(dataset) : try mnistSubset(train: 5000, test: 2000)
    }

    /// What stands in for a transfer's target dataset at quick scale.
    public static func transferStandIn(for dataset: PaperDataset, epochs: Int) -> String {
        "\(dataset.name) -> the first 5,000 training and 2,000 test images of MNIST, resized to the network's 8x8 input, \(epochs) epochs"
    }

    /// The quick scale's MNIST subset (the first `train` and `test` images of `--data-root`/mnist), written once as IDX
    /// files below the runs folder; the experiment lists `.mnist` in its `quickData`.
    public func mnistSubset(train: Int, test: Int) throws -> String {
        try writtenOnce("data/mnist-\(train)-\(test)") { partial in
            let full = try MNIST.load(directory: directory(.mnist))
            for (part, data, count) in [("train", full.train, train), ("t10k", full.test, test)] {
                let count = min(count, data.count)
                let side = data.sampleShape.suffix(2)
                let pixels = data.images.scalars.prefix(count * data.sampleSize).map { UInt8(($0 * 255).rounded()) }
                try IDXWriting.data(dimensions: [count] + side, bytes: pixels)
                    .write(to: partial.appendingPathComponent("\(part)-images-idx3-ubyte"))
                try IDXWriting.data(dimensions: [count], bytes: data.labels.prefix(count).map { UInt8($0) })
                    .write(to: partial.appendingPathComponent("\(part)-labels-idx1-ubyte"))
            }
        }
    }

    /// The first `train` and `test` images of `--data-root`/mnist as ImageNet-style image folders of PNG files
    /// (`train/` and `val/`, class folders `digit-0` to `digit-9`), written once below the runs folder; the experiment
    /// lists `.mnist` in its `quickData`.
    public func mnistImageFolders(train: Int, test: Int) throws -> String {
        try writtenOnce("data/mnist-png-\(train)-\(test)") { partial in
            let full = try MNIST.load(directory: directory(.mnist))
            for (part, data, count) in [("train", full.train, train), ("val", full.test, test)] {
                try ImageFolderWriting.write(data, count: count, part: part, to: partial) { "digit-\($0)" }
            }
        }
    }

    /// The folder `relativePath` below the runs folder, written by `write` the first time: into a temporary folder that
    /// is renamed when complete, so an interrupted run never leaves a partial folder behind.
    private func writtenOnce(_ relativePath: String, write: (URL) throws -> Void) throws -> String {
        let folder = options.runRoot.appendingPathComponent(relativePath)
        if FileManager.default.fileExists(atPath: folder.path) { return folder.path }
        let partial = folder.deletingLastPathComponent().appendingPathComponent(".\(folder.lastPathComponent).\(UUID().uuidString).partial")
        try FileManager.default.createDirectory(at: partial, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: partial) }
        try write(partial)
        try FileManager.default.moveItem(at: partial, to: folder)
        return folder.path
    }

    /// Writes the experiment's JSON and Markdown table below `--results`.
    public func finish(title: String, standIns: [String], settings: [String], rows: [ResultRow], table: MarkdownTable,
                       notes: [String] = []) throws {
        let report = ExperimentReport(experiment: name, title: title, scale: options.scale,
                                      standIns: options.scale == .quick ? standIns : [], settings: settings, rows: rows,
                                      wallSeconds: Date().timeIntervalSince(start), machine: machine)
        try report.write(table: table, notes: notes, results: options.results)
    }
}

/// IDX files (the MNIST format): magic 0x0000 0x08 rank, big-endian 32-bit dimensions, then unsigned bytes.
public enum IDXWriting {
    /// The IDX file of unsigned bytes `bytes` with `dimensions`.
    public static func data(dimensions: [Int], bytes: [UInt8]) -> Data {
        var data = Data([0, 0, 0x08, UInt8(dimensions.count)])
        for dimension in dimensions {
            data.append(contentsOf: withUnsafeBytes(of: UInt32(dimension).bigEndian) { Array($0) })
        }
        data.append(contentsOf: bytes)
        return data
    }
}
