import Foundation

/// Granularities combined top-down (Section 3.4): the search phase is split into equal parts and
/// each part searches at one level, coarse first (for example layers, then kernels, then weights).
public struct TopDownGranularity {
    /// The levels, coarsest first.
    public let levels: [any SearchGranularity]

    public init(_ levels: [any SearchGranularity]) {
        self.levels = levels
    }

    /// The level in force at `progress` (0 at the start of the search phase, 1 at its end).
    public func level(atProgress progress: Double) -> any SearchGranularity {
        let index = Int((min(max(progress, 0), 0.999_999) * Double(levels.count)).rounded(.down))
        return levels[min(index, levels.count - 1)]
    }

    /// The levels' names joined by commas, as given on the command line.
    public var name: String { levels.map(\.name).joined(separator: ",") }

    /// Parses a comma-separated list such as `layer,kernel` (coarse to fine), resolving each name in `registry`.
    public init(parsing text: String, registry: GranularityRegistry = .standard) throws {
        let names = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !names.isEmpty else { throw SearchError.invalidSetting("no granularity given") }
        levels = try names.map { try registry.granularity(named: $0) }
    }
}
