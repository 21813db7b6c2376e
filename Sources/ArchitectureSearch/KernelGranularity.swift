/// Kernels: the `k x k` weights between one input and one output channel of a convolution form a
/// unit; every weight of a linear layer and every bias is a unit of its own.
public struct KernelGranularity: SearchGranularity {
    public let name = "kernel"

    public init() {}

    public func units(in region: SearchRegion) -> [SearchUnit] {
        guard case let .convolution(_, _, area) = region.layout, area > 1 else {
            return region.candidates.map { SearchUnit(key: region.key, entries: [$0], label: region.label) }
        }
        var units: [SearchUnit] = []
        var current: [Int] = []
        for entry in region.candidates {
            if let first = current.first, first / area != entry / area {
                units.append(SearchUnit(key: region.key, entries: current, label: region.label))
                current = []
            }
            current.append(entry)
        }
        if !current.isEmpty { units.append(SearchUnit(key: region.key, entries: current, label: region.label)) }
        return units
    }
}
