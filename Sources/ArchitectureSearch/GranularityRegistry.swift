/// Granularities by name, so that a command line or a configuration file can choose any conformance,
/// a user's own included, without a switch over the known ones.
///
/// ```swift
/// var registry = GranularityRegistry.standard
/// registry.register("filter") { FilterGranularity() }
/// let levels = try TopDownGranularity(parsing: "filter,weight", registry: registry)
/// ```
public struct GranularityRegistry: Sendable {
    private var makers: [String: @Sendable () -> any SearchGranularity] = [:]
    /// The names in the order they were registered (aliases left out), for help texts and errors.
    public private(set) var names: [String] = []

    /// An empty registry.
    public init() {}

    /// The granularities of Figure 2: `weight`, `kernel` and `layer` (plurals accepted).
    public static let standard: GranularityRegistry = {
        var registry = GranularityRegistry()
        registry.register("weight", aliases: ["weights"]) { WeightGranularity() }
        registry.register("kernel", aliases: ["kernels"]) { KernelGranularity() }
        registry.register("layer", aliases: ["layers"]) { LayerGranularity() }
        return registry
    }()

    /// Makes `make` available as `name` (and as each alias); a later registration of a name replaces an earlier one.
    public mutating func register(_ name: String, aliases: [String] = [], _ make: @escaping @Sendable () -> any SearchGranularity) {
        let key = name.lowercased()
        if !names.contains(key) { names.append(key) }
        for alias in [key] + aliases.map({ $0.lowercased() }) { makers[alias] = make }
    }

    /// The granularity registered as `name` (case-insensitive).
    public func granularity(named name: String) throws -> any SearchGranularity {
        guard let make = makers[name.lowercased()] else {
            throw SearchError.invalidSetting("unknown granularity '\(name)' (use \(names.joined(separator: ", ")) or a comma-separated combination)")
        }
        return make()
    }
}
