import Foundation

/// When the architecture grows and by how much (Algorithm 1, line 4, and the architecture learning rate A_lr).
public struct ExpansionSchedule: Sendable, Equatable {
    /// How A_lr decays over the search phase.
    public enum Decay: String, Sendable, Equatable, CaseIterable, Codable {
        /// A_lr stays at its initial value.
        case constant
        /// Cosine from the initial value down to `finalRatio` times it at the end of the search phase.
        case cosine
        /// Linear from the initial value down to `finalRatio` times it.
        case linear
    }

    /// Expand every this many epochs (fractions allowed: 0.25 expands four times per epoch).
    public var interval: Double
    /// Also expand early when the gradient norm plateaus; `nil` disables.
    public var plateau: GradientPlateau?
    /// The fraction of training at the end during which the architecture is frozen (the paper: 100 of 500 epochs).
    public var frozenFraction: Double
    /// A_lr at the start of the search: parameters added per expansion relative to the current size.
    /// `nil` chooses it so that the budget is reached when the architecture freezes.
    public var initialArchitectureLearningRate: Double?
    public var decay: Decay
    /// A_lr at the end of the search phase, relative to its start.
    public var finalRatio: Double
    /// Mini-batches over which each expansion's gradients are averaged.
    public var scoringBatches: Int

    public init(interval: Double = 1, plateau: GradientPlateau? = nil, frozenFraction: Double = 0.2,
                initialArchitectureLearningRate: Double? = nil, decay: Decay = .cosine, finalRatio: Double = 0.25,
                scoringBatches: Int = 2) throws {
        guard interval > 0 else { throw SearchError.invalidSetting("the expansion interval must be positive, got \(interval)") }
        guard (0..<1).contains(frozenFraction) else { throw SearchError.invalidSetting("the frozen fraction must be in [0, 1), got \(frozenFraction)") }
        if let rate = initialArchitectureLearningRate, !(rate > 0) {
            throw SearchError.invalidSetting("the architecture learning rate must be positive, got \(rate)")
        }
        guard finalRatio > 0, finalRatio <= 1 else { throw SearchError.invalidSetting("the final A_lr ratio must be in (0, 1], got \(finalRatio)") }
        guard scoringBatches >= 1 else { throw SearchError.invalidSetting("scoring needs at least one batch, got \(scoringBatches)") }
        self.interval = interval
        self.plateau = plateau
        self.frozenFraction = frozenFraction
        self.initialArchitectureLearningRate = initialArchitectureLearningRate
        self.decay = decay
        self.finalRatio = finalRatio
        self.scoringBatches = scoringBatches
    }

    /// The epoch (fractional) after which the architecture is frozen.
    public func searchEnd(totalEpochs: Int) -> Double { Double(totalEpochs) * (1 - frozenFraction) }

    /// The scheduled expansion times (in epochs) of a run of `totalEpochs` epochs.
    public func expansionTimes(totalEpochs: Int) -> [Double] {
        let end = searchEnd(totalEpochs: totalEpochs)
        return Array(stride(from: interval, to: end, by: interval))
    }

    /// A_lr at `progress` through the search phase (0...1), starting from `initial`.
    public func architectureLearningRate(initial: Double, progress: Double) -> Double {
        let t = min(max(progress, 0), 1)
        switch decay {
        case .constant: return initial
        case .linear: return initial * (1 - (1 - finalRatio) * t)
        case .cosine: return initial * (finalRatio + (1 - finalRatio) * 0.5 * (1 + cos(Double.pi * t)))
        }
    }

    /// The initial A_lr with which growing from `start` parameters at the scheduled expansions of a run of
    /// `totalEpochs` epochs just reaches `budget` (the paper: "based on the parameter constraints and number
    /// of training epochs, we can determine how many parameters are added each epoch").
    public func automaticInitialRate(start: Int, budget: Int, totalEpochs: Int) -> Double {
        let times = expansionTimes(totalEpochs: totalEpochs)
        let end = searchEnd(totalEpochs: totalEpochs)
        guard !times.isEmpty, start > 0, budget > start else { return 0.1 }
        func finalSize(_ initial: Double) -> Double {
            times.reduce(Double(start)) { size, time in size * (1 + architectureLearningRate(initial: initial, progress: time / end)) }
        }
        var low = 0.0, high = 1.0
        while finalSize(high) < Double(budget), high < 1e6 { high *= 2 }
        for _ in 0..<60 {
            let middle = (low + high) / 2
            if finalSize(middle) < Double(budget) { low = middle } else { high = middle }
        }
        return high
    }
}

/// Detects that training has settled: the mean gradient norm of the last `window` steps differs
/// from that of the `window` steps before by less than `tolerance` (relative).
public struct GradientPlateau: Sendable, Equatable, Codable {
    public var window: Int
    public var tolerance: Double
    private var norms: [Double] = []

    public init(window: Int = 50, tolerance: Double = 0.02) throws {
        guard window >= 2, tolerance > 0 else {
            throw SearchError.invalidSetting("a plateau needs a window of at least 2 steps and a positive tolerance")
        }
        self.window = window
        self.tolerance = tolerance
    }

    /// Records one step's gradient norm; returns `true` (and starts over) when a plateau is reached.
    public mutating func record(_ norm: Double) -> Bool {
        norms.append(norm)
        guard norms.count >= 2 * window else { return false }
        let recent = norms.suffix(window).reduce(0, +) / Double(window)
        let earlier = norms.dropLast(window).suffix(window).reduce(0, +) / Double(window)
        norms.removeFirst(norms.count - 2 * window)
        guard earlier > 0, abs(recent - earlier) / earlier < tolerance else { return false }
        norms.removeAll()
        return true
    }
}
