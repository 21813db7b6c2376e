import ArgumentParser

/// Which form of a searched network `ilnas evaluate` runs.
enum InferenceEngine: String, ExpressibleByArgument, CaseIterable, Codable {
    /// The compacted network (`ModelExport.CompactInference`): absent channels and connections taken out, each
    /// weight dense or sparse by its density.
    case compact
    /// The growing network as the search trains it: every channel, weights multiplied by their masks.
    case masked
}
