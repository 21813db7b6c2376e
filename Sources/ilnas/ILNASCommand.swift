import ArgumentParser

/// The `ilnas` command line: architecture search and its baselines, resuming an interrupted search, and evaluation of
/// a run's saved network.
@main
struct ILNASCommand: ParsableCommand {
    /// The program's version, recorded in every run's `config.json`.
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "ilnas",
        abstract: "Intra-Layer Neural Architecture Search: grow a network under a parameter budget.",
        version: version,
        subcommands: [SearchCommand.self, ResumeCommand.self, EvaluateCommand.self],
        defaultSubcommand: SearchCommand.self
    )
}
