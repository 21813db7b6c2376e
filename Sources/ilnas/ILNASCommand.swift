import ArgumentParser
import Foundation

/// The `ilnas` command line: architecture search and its baselines, resuming an interrupted search, evaluation of a
/// run's saved network, and HTML reports of runs.
@main
struct ILNASCommand: ParsableCommand {
    /// The program's version, recorded in every run's `config.json`.
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "ilnas",
        abstract: "Intra-Layer Neural Architecture Search: grow a network under a parameter budget.",
        version: version,
        subcommands: [SearchCommand.self, MultiTaskCommand.self, ResumeCommand.self, EvaluateCommand.self, ReportCommand.self,
                      ExportCommand.self, DatasetsCommand.self],
        defaultSubcommand: SearchCommand.self
    )

    /// Parses the arguments and runs the command. Help is printed as usual; any failure ends with one line on
    /// standard error (``errorLine(for:arguments:)``) and exit status 64 for a usage error or 1 for a failed run; an
    /// `ExitCode` that a command throws after saying what happened (a stopped run), or instead of saying it (the
    /// quiet ranks of a data-parallel run), ends the process with its status and nothing more.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let status as ExitCode {
            Foundation.exit(status.rawValue)
        } catch {
            let status = exitCode(for: error)
            guard !status.isSuccess else { exit(withError: error) }
            FileHandle.standardError.write(Data((errorLine(for: error, arguments: CommandLine.arguments) + "\n").utf8))
            Foundation.exit(status.rawValue)
        }
    }

    /// The one line a failure prints: `Error: ` and the message, line breaks of nested messages turned into spaces;
    /// after a usage error (bad option, bad value), where the subcommand of `arguments` lists its options.
    static func errorLine(for error: Error, arguments: [String]) -> String {
        let message = message(for: error).split(whereSeparator: \.isNewline).joined(separator: " ")
        guard exitCode(for: error) == .validationFailure else { return "Error: \(message)" }
        let subcommand = configuration.subcommands.first { $0.configuration.commandName == arguments.dropFirst().first }
            ?? configuration.defaultSubcommand
        let name = subcommand?.configuration.commandName.map { "ilnas \($0)" } ?? "ilnas"
        return "Error: \(message) (\(name) --help lists the options)"
    }
}
