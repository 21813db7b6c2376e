/// Layers: a unit is a whole connection from an earlier node into a later one (a skip connection
/// within a stage, or across one reduction), or a new identity layer inserted after a node.
/// Only spaces with structure (``GrowingNetwork``) offer such units.
public struct LayerGranularity: SearchGranularity {
    public let name = "layer"

    public init() {}

    public var searchesStructure: Bool { true }

    public func units(in region: SearchRegion) -> [SearchUnit] { [] }

    public func structuralUnits(in space: any SearchSpace) -> [SearchUnit] {
        space.structuralUnits()
    }
}
