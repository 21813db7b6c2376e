/// The finest level: every single weight and bias is a unit.
public struct WeightGranularity: SearchGranularity {
    public let name = "weight"

    public init() {}

    public func units(in region: SearchRegion) -> [SearchUnit] {
        region.candidates.map { SearchUnit(key: region.key, entries: [$0], label: region.label) }
    }
}
