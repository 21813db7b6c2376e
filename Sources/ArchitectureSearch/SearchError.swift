import TensorCore

/// Errors of the architecture search: bad settings and impossible budgets, with a message that says what.
public enum SearchError: Error, Equatable, CustomStringConvertible {
    /// A setting out of its range, with what was given.
    case invalidSetting(String)
    /// The starting network has more parameters than the budget allows.
    case budgetTooSmall(budget: Int, startingParameters: Int)
    /// The starting network computes more multiply-accumulates per sample than the compute budget allows.
    case computeBudgetTooSmall(budget: Int, startingMultiplyAccumulates: Int)

    /// Data-parallel search: after expansion `expansion` (1-based), at training step `step`, the processes hold
    /// different architectures, so their gradients no longer belong to one network.
    case ranksDisagree(expansion: Int, step: Int, ranks: Int)
    /// Data-parallel search: before the first step of a run, or the first after `completedSteps` when resumed, the
    /// processes do not hold the same `parts` of ``StartAgreement`` (configuration, weights, ...).
    case ranksDisagreeAtStart(parts: [String], completedSteps: Int, ranks: Int)

    public var description: String {
        switch self {
        case let .invalidSetting(reason):
            return reason
        case let .budgetTooSmall(budget, start):
            return "the budget of \(budget) parameters is below the starting network's \(start) parameters"
        case let .computeBudgetTooSmall(budget, start):
            return "the compute budget of \(budget) multiply-accumulates is below the starting network's \(start)"
        case let .ranksDisagree(expansion, step, ranks):
            return "the \(ranks) processes hold different architectures after expansion \(expansion) (step \(step)): "
                + "their architecture hashes differ, so the search stops (the processes must run the same build, options and data)"
        case let .ranksDisagreeAtStart(parts, completedSteps, ranks):
            let moment = completedSteps == 0 ? "at the start" : "when resuming after step \(completedSteps)"
            return "the \(ranks) processes differ \(moment) in their \(parts.joined(separator: ", ")) (compared as hashes), "
                + "so the search stops before training: every process must run the same build with the same options, data "
                + "and checkpoint"
        }
    }
}

extension SearchError: CollectiveError {
    /// The ranks' disagreements: every rank compares the same hashes and throws together.
    public var isCollective: Bool {
        switch self {
        case .ranksDisagree, .ranksDisagreeAtStart: true
        case .invalidSetting, .budgetTooSmall, .computeBudgetTooSmall: false
        }
    }
}
