import Foundation
import PackagePlugin

/// `swift package --allow-writing-to-package-directory reproduce <experiment|all> --scale quick|paper [--data-root DIR]`:
/// builds `ilnas` and the experiment programs in release, runs each in the package folder and leaves its table in
/// `results/<experiment>.md` (and its data in `results/<experiment>.json`).
@main
struct Reproduce: CommandPlugin {
    /// The experiment programs, in the order `all` runs them (Table 1 first: the others reuse its runs).
    static let experiments = ["Table1Budgets", "Table2ImageNet", "Figure5Baselines", "TransferSTL10", "TransferMNIST", "MultiTask"]
    static let usage = "usage: swift package --allow-writing-to-package-directory reproduce <experiment|all> --scale quick|paper "
        + "[--data-root DIR] [--threads N]; experiments: \(experiments.joined(separator: ", "))"

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    func performCommand(context: PluginContext, arguments: [String]) async throws {
        var extractor = ArgumentExtractor(arguments)
        let scale = extractor.extractOption(named: "scale").last ?? "quick"
        let dataRoot = extractor.extractOption(named: "data-root").last
        let threads = extractor.extractOption(named: "threads").last
        let names = extractor.remainingArguments
        guard names.count == 1, let name = names.first else { throw Failure(description: Self.usage) }
        guard name == "all" || Self.experiments.contains(name) else {
            throw Failure(description: "unknown experiment '\(name)'; the experiments are: "
                + (Self.experiments + ["all"]).joined(separator: ", ") + "\n" + Self.usage)
        }
        guard ["quick", "paper"].contains(scale) else { throw Failure(description: "--scale must be quick or paper, got '\(scale)'") }
        let chosen = name == "all" ? Self.experiments : [name]

        let package = context.package.directoryURL
        try build("ilnas")   // the programs run the ilnas executable next to them
        var times: [(String, Double)] = []
        for experiment in chosen {
            let executable = try build(experiment)
            var programArguments = ["--scale", scale, "--results", package.appendingPathComponent("results").path,
                                    "--runs", package.appendingPathComponent("runs/reproduce").path]
            if let dataRoot { programArguments += ["--data-root", URL(fileURLWithPath: dataRoot, relativeTo: package).path] }
            if let threads { programArguments += ["--threads", threads] }
            print("== \(experiment) " + programArguments.joined(separator: " "))
            let start = Date()
            let process = Process()
            process.executableURL = executable
            process.arguments = programArguments
            process.currentDirectoryURL = package
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                throw Failure(description: "\(experiment) failed with status \(process.terminationStatus) (its messages are above)")
            }
            times.append((experiment, Date().timeIntervalSince(start)))
            print("== \(experiment): results/\(experiment).md")
        }
        for (experiment, seconds) in times { print(String(format: "%@: %.0f s wall", experiment, seconds)) }
    }

    /// Builds `product` in release and returns its executable.
    @discardableResult
    private func build(_ product: String) throws -> URL {
        print("building \(product) (release)")
        let result = try packageManager.build(.product(product), parameters: .init(configuration: .release, logging: .concise))
        guard result.succeeded, let executable = result.builtArtifacts.first(where: { $0.kind == .executable }) else {
            throw Failure(description: "building \(product) failed:\n\(result.logText)")
        }
        return executable.url
    }
}
