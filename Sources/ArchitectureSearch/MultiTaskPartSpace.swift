import NeuralNetwork
import TensorCore

/// One part of a ``MultiTaskNetwork`` (the shared architecture or one task's) as a ``SearchSpace``, so that the
/// existing ``ArchitectureOptimizer`` expands it as an architecture of its own (Section 4.2: "the ILNAS algorithm
/// is independently applied to the network architectures dedicated to each task and the shared architecture").
///
/// - Candidates are the trunk entries that nobody owns; an added unit's entries become the part's, at zero, so no
///   task's output changes (an unowned entry is absent, hence zero, in every view).
/// - ``parameterCount`` is the part's own count (a task's includes its head), so the optimizer's ``SearchBudget`` is
///   the part's share of the total budget; the shares add up to at most the total.
/// - ``network`` is a ``MultiTaskScoringNetwork`` over the part's tasks: a task part scores with its task's loss in
///   its view; the shared part with the sum of every task's loss, each in its view, so a unit's gradient is
///   `Σ_t ∂L_t/∂W` at zero. Scoring batches for the shared part are ``MultiTaskScoringNetwork/combined(_:)`` batches,
///   and the optimizer's objective is a ``MultiTaskObjective``.
///
/// The trunk's structure is fixed: there are no structural units, and dead channels are not revived.
public final class MultiTaskPartSpace: SearchSpace {
    /// The multi-task network whose part this space grows.
    public let model: MultiTaskNetwork
    /// The part grown: the shared weights or one task's own.
    public let part: MultiTaskNetwork.Part
    private let scoring: MultiTaskScoringNetwork
    /// Multiply-accumulates per sample of one present entry of each trunk parameter (`Linear` weight: 1, `Conv2d`
    /// weight: its output positions, others 0).
    private let positions: [Int]

    /// The space of `part` of `model`.
    public init(model: MultiTaskNetwork, part: MultiTaskNetwork.Part) throws {
        self.model = model
        self.part = part
        switch part {
        case .shared: scoring = try MultiTaskScoringNetwork(model: model, tasks: Array(0..<model.taskCount))
        case let .task(task): scoring = try MultiTaskScoringNetwork(model: model, tasks: [task])
        }
        var costs: [ObjectIdentifier: Int] = [:]
        var shape = [1] + model.inputShape
        for layer in LayerSearchSpace.flattened(model.trunk) {
            shape = try layer.outputShape(forInput: shape)
            if let convolution = layer as? Conv2d {
                costs[ObjectIdentifier(convolution.weight), default: 0] += shape[2] * shape[3]
            } else if let linear = layer as? Linear {
                costs[ObjectIdentifier(linear.weight), default: 0] += 1
            }
        }
        positions = model.trunkParameters.map { costs[ObjectIdentifier($0)] ?? 0 }
    }

    /// The objective the optimizer expanding this part must score with.
    public var objective: MultiTaskObjective {
        let features = (try? model.trunk.outputShape(forInput: [1] + model.inputShape)) ?? []
        return MultiTaskObjective(classCounts: scoring.tasks.map { (try? model.heads[$0].outputShape(forInput: features)[1]) ?? 0 })
    }

    public var network: Layer { scoring }

    public var parameterCount: Int { model.ownCount(of: part) }

    public func searchRegions() -> [SearchRegion] {
        model.trunkParameters.indices.compactMap { index in
            let candidates = model.unownedEntries(inTrunkParameter: index)
            guard !candidates.isEmpty else { return nil }
            let parameter = model.trunkParameters[index], shape = parameter.shape
            let layout: RegionLayout
            switch shape.count {
            case 1: layout = .bias(count: shape[0])
            case 4: layout = .convolution(outputs: shape[0], inputs: shape[1], kernelArea: shape[2] * shape[3])
            default: layout = .dense(outputs: shape.first ?? 1, inputs: parameter.count / max(1, shape.first ?? 1))
            }
            return SearchRegion(key: Self.key(index), label: parameter.name, layout: layout, candidates: candidates)
        }
    }

    public func structuralUnits() -> [SearchUnit] { [] }

    /// Nothing to prepare: the trunk has no placeholders and no batch normalisation.
    public func beginScoring() { model.installUnion() }

    public func endScoring() { model.installUnion() }

    public func setCandidateGradients(_ enabled: Bool) {}

    /// Every trunk parameter (`trunk.i`) and the heads of the part's tasks (`head.t.j`).
    public func parameterTable() -> [String: Parameter] {
        var table: [String: Parameter] = [:]
        for (index, parameter) in model.trunkParameters.enumerated() { table[Self.key(index)] = parameter }
        for task in scoring.tasks {
            for (index, parameter) in model.heads[task].parameters.enumerated() { table["head.\(task).\(index)"] = parameter }
        }
        return table
    }

    public func cost(of unit: SearchUnit) -> Int {
        guard unit.kind == .entries, let index = Self.index(of: unit.key), model.trunkParameters[index].isSearchable else { return 0 }
        return unit.entries.reduce(0) { $0 + (model.owner(ofEntry: $1, inTrunkParameter: index) == nil ? 1 : 0) }
    }

    /// Multiply-accumulates of the part's own present trunk entries, per sample.
    public var multiplyAccumulates: Int {
        model.trunkParameters.indices.reduce(0) { total, index in
            guard positions[index] > 0 else { return total }
            let owned = (0..<model.trunkParameters[index].count).reduce(0) {
                $0 + (model.owner(ofEntry: $1, inTrunkParameter: index) == part ? 1 : 0)
            }
            return total + owned * positions[index]
        }
    }

    public func multiplyAccumulatesAdded(by unit: SearchUnit) -> Int {
        guard let index = Self.index(of: unit.key) else { return 0 }
        return cost(of: unit) * positions[index]
    }

    public func add(_ unit: SearchUnit) throws {
        guard unit.kind == .entries, let index = Self.index(of: unit.key), model.trunkParameters.indices.contains(index) else {
            throw SearchError.invalidSetting("no trunk parameter '\(unit.key)' in the multi-task network")
        }
        for entry in unit.entries where model.owner(ofEntry: entry, inTrunkParameter: index) == nil {
            try model.assign(entry: entry, inTrunkParameter: index, to: part)
        }
    }

    public func finishAdding() {}

    public func snapshot() -> () -> Void { model.snapshot() }

    public func reviveDeadChannels(on inputs: [Tensor]) throws -> Int { 0 }

    /// Hidden channels after a `ReLU` of the trunk that are zero for every sample of `inputs`, in the view of the part's
    /// first task (for the shared part, task 0).
    public func deadChannels(on inputs: Tensor) throws -> Int {
        try model.installView(task: scoring.tasks[0])
        defer { model.installUnion() }
        var dead = 0
        var activation = inputs
        for layer in LayerSearchSpace.flattened(model.trunk) {
            activation = try layer.forward(activation, mode: .inference)
            guard layer is ReLU, activation.shape.count >= 2 else { continue }
            dead += (0..<activation.shape[1]).filter { !activation.isActive(channel: $0) }.count
        }
        return dead
    }

    private static func key(_ index: Int) -> String { "trunk.\(index)" }

    private static func index(of key: String) -> Int? {
        guard key.hasPrefix("trunk.") else { return nil }
        return Int(key.dropFirst("trunk.".count))
    }
}
