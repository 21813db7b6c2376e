import ArchitectureSearch

/// The run whose final network a search keeps evolving on new data (`ilnas search --from RUN`, Section 5.2).
struct TransferSource {
    let folder: RunFolder

    /// The run's final network, with a new output layer when `classes` differs from the classes it tells apart
    /// (``ArchitectureSearch/GrowingNetwork/replaceOutput(classes:)``: everything else is kept). Loaded anew on
    /// every call, so that each trial of a best-of-K baseline starts from the same network.
    func network(classes: Int) throws -> GrowingNetwork {
        let network = try folder.network()
        if network.outputNode?.realChannelCount != classes { try network.replaceOutput(classes: classes) }
        return network
    }
}
