import NeuralNetwork

/// How a parameter tensor is laid out, as a granularity needs to know to group its entries.
public enum RegionLayout: Sendable, Equatable {
    /// A convolution weight `[outputs, inputs, kernelArea]` (kernel taps innermost).
    case convolution(outputs: Int, inputs: Int, kernelArea: Int)
    /// A fully connected weight `[outputs, inputs]`.
    case dense(outputs: Int, inputs: Int)
    /// A bias vector.
    case bias(count: Int)
}

/// One parameter tensor as the search sees it: where its absent entries could be added.
public struct SearchRegion {
    /// The key of the parameter in its ``SearchSpace`` (unique, stable across snapshots).
    public let key: String
    /// A readable name of the layer or connection, used to count additions per layer in the audit log.
    public let label: String
    public let layout: RegionLayout
    /// The flat indices of absent entries that may be added, ascending.
    public let candidates: [Int]

    public init(key: String, label: String, layout: RegionLayout, candidates: [Int]) {
        self.key = key
        self.label = label
        self.layout = layout
        self.candidates = candidates
    }
}

/// A group of mask entries that the search adds or leaves out together.
public struct SearchUnit: Hashable, Sendable {
    /// What adding the unit means.
    public enum Kind: Hashable, Sendable {
        /// Make the listed entries of one parameter present.
        case entries
        /// Add a connection between two nodes (Figure 2, layer level).
        case connection(source: Int, target: Int)
        /// Insert an identity layer after a node (Figure 1, right).
        case layer(after: Int)
    }

    public let kind: Kind
    /// The parameter whose gradient scores the unit (for structural units, its would-be weight).
    public let key: String
    /// The flat indices of the entries the unit scores (and, for `.entries`, adds).
    public let entries: [Int]
    /// The layer or connection the unit belongs to, for the audit log.
    public let label: String

    public init(kind: Kind = .entries, key: String, entries: [Int], label: String) {
        self.kind = kind
        self.key = key
        self.entries = entries
        self.label = label
    }
}

/// A level of the search space (Figure 2): how mask entries are grouped into units that are
/// scored and added together.
///
/// A conformance only groups; scoring, the budget and growth are the ``ArchitectureOptimizer``'s.
/// Entry-level granularities group the candidate entries of each ``SearchRegion``; structural
/// granularities add connections and layers through ``structuralUnits(in:)``.
///
/// ```swift
/// /// Whole filters: all absent weights of one output channel of a convolution.
/// struct FilterGranularity: SearchGranularity {
///     let name = "filter"
///     func units(in region: SearchRegion) -> [SearchUnit] {
///         guard case let .convolution(_, inputs, area) = region.layout else { return [] }
///         return Dictionary(grouping: region.candidates) { $0 / (inputs * area) }
///             .map { SearchUnit(key: region.key, entries: $0.value, label: region.label) }
///     }
/// }
/// ```
public protocol SearchGranularity {
    /// The name used in logs and on the command line.
    var name: String { get }
    /// Groups the candidate entries of one region into units; entries left out are not searched.
    func units(in region: SearchRegion) -> [SearchUnit]
    /// Structural units (connections, layers) offered by `space`; none by default.
    func structuralUnits(in space: any SearchSpace) -> [SearchUnit]
    /// Whether this granularity offers structural units, whose would-be weights the scoring pass must
    /// compute (extra work, so it is done only when asked); `false` by default.
    var searchesStructure: Bool { get }
}

extension SearchGranularity {
    public func structuralUnits(in space: any SearchSpace) -> [SearchUnit] { [] }
    public var searchesStructure: Bool { false }

    /// Every unit of this granularity in `space`.
    public func allUnits(in space: any SearchSpace) -> [SearchUnit] {
        space.searchRegions().flatMap { units(in: $0) } + structuralUnits(in: space)
    }
}
