import ArgumentParser

/// The `ilnas` command line: architecture search and its baselines, evaluation of a run's saved network, and HTML
/// reports of runs.
@main
struct ILNASCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ilnas",
        abstract: "Intra-Layer Neural Architecture Search: grow a network under a parameter budget.",
        subcommands: [SearchCommand.self, EvaluateCommand.self, ReportCommand.self],
        defaultSubcommand: SearchCommand.self
    )
}
