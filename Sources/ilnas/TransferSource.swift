import ArchitectureSearch

/// The run whose final network a search keeps evolving on new data (`ilnas search --from RUN`, Section 5.2).
struct TransferSource {
    let folder: RunFolder

    /// The run's final network fitted to `classes` (``fitting(_:classes:)``). Loaded anew on every call, so that each
    /// trial of a best-of-K baseline starts from the same network.
    func network(classes: Int) throws -> GrowingNetwork {
        try Self.fitting(folder.network(), classes: classes)
    }

    /// `network` with a new output layer when `classes` differs from the classes it tells apart
    /// (`GrowingNetwork.replaceOutput(classes:)`: everything else is kept).
    static func fitting(_ network: GrowingNetwork, classes: Int) throws -> GrowingNetwork {
        if network.outputNode?.realChannelCount != classes { try network.replaceOutput(classes: classes) }
        return network
    }
}
