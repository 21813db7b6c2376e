import NeuralNetwork

/// Makes any network built from the framework's layers searchable at the level of kernels and
/// weights: every searchable parameter's absent entries are candidates. Its structure is fixed.
public final class LayerSearchSpace: SearchSpace {
    public let network: Layer

    public init(network: Layer) {
        self.network = network
    }

    private var searchable: [(key: String, parameter: Parameter)] {
        network.parameters.enumerated().filter(\.element.isSearchable).map { ("\($0.offset):\($0.element.name)", $0.element) }
    }

    public var parameterCount: Int { network.parameters.reduce(0) { $0 + $1.activeCount } }

    public func searchRegions() -> [SearchRegion] {
        searchable.compactMap { key, parameter in
            let candidates = parameter.mask.absentIndices
            guard !candidates.isEmpty else { return nil }
            let shape = parameter.shape
            let layout: RegionLayout
            switch shape.count {
            case 1: layout = .bias(count: shape[0])
            case 4: layout = .convolution(outputs: shape[0], inputs: shape[1], kernelArea: shape[2] * shape[3])
            default: layout = .dense(outputs: shape.first ?? 1, inputs: parameter.value.count / max(1, shape.first ?? 1))
            }
            return SearchRegion(key: key, label: parameter.name, layout: layout, candidates: candidates)
        }
    }

    public func structuralUnits() -> [SearchUnit] { [] }

    /// Dense layers compute every entry, present or not, so adding entries costs no compute.
    public var multiplyAccumulates: Int { 0 }
    public func projectedMultiplyAccumulates(adding unit: SearchUnit?) -> Int { 0 }

    public func setCandidateGradients(_ enabled: Bool) {}

    public func parameterTable() -> [String: Parameter] {
        Dictionary(uniqueKeysWithValues: searchable.map { ($0.key, $0.parameter) })
    }

    public func cost(of unit: SearchUnit) -> Int {
        guard let parameter = parameterTable()[unit.key] else { return 0 }
        return unit.entries.filter { !parameter.mask.isActive($0) }.count
    }

    public func add(_ unit: SearchUnit) throws {
        guard let parameter = parameterTable()[unit.key] else {
            throw SearchError.invalidSetting("no parameter '\(unit.key)' in network \(network.name)")
        }
        for entry in unit.entries where !parameter.mask.isActive(entry) { parameter.activate(entry) }
    }

    public func finishAdding() {}

    public func snapshot() -> () -> Void {
        let saved = network.parameters.map { ($0, $0.copy()) }
        return {
            for (parameter, copy) in saved {
                parameter.value = copy.value
                parameter.gradient = copy.gradient
                parameter.mask = copy.mask
                parameter.optimizerState = copy.optimizerState
            }
        }
    }
}
