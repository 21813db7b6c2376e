import NeuralNetwork
import TensorCore
import Training

/// One weight set `W` shared by several tasks (Section 4.2): a trunk whose entries each belong to nobody, to the
/// shared architecture `α_s` or to one task's architecture `α_t`, and a dense output layer (head) per task. Task `t`
/// computes `f(x, (α_s ∪ α_t) ⊙ W)` followed by its head.
///
/// ### The mask model
///
/// A `Parameter` keeps its value exactly zero where its mask is absent, and every layer relies on it.
/// Two tasks see different masks over the same trunk tensors, so no single mask can hold for both. The network
/// therefore keeps an owner per trunk entry (nobody, shared, or task `t`) and stores the values of the union of owned
/// entries once, and gives the trunk parameters one *view* at a time:
///
/// - the **union** view (the resting state): mask = every owned entry, values = the stored values; the weight
///   optimizer steps and the architecture grows in this view;
/// - the **view of task `t`** (``installView(task:)``): mask = `α_s ∪ α_t`, values = the stored values there and zero
///   elsewhere; task `t`'s forward and backward passes run in it, so every layer and the `Parameter` invariant hold
///   unchanged. ``installUnion()`` puts the stored values back.
///
/// A training step (``accumulateTrainingGradients(_:objective:mode:)``) runs each task's batch in its view and adds the
/// trunk gradient into an accumulator *masked by that view*, so that a shared entry receives
/// `Σ_t ∇_W L_t(f(x_t, (α_s ∪ α_t) ⊙ W))` and a task's entry only its own task's gradient; the accumulator becomes the
/// trunk gradient in the union view, where the optimizer steps once. Entries owned by nobody are absent in every view,
/// stay zero, and are what the search may add (``MultiTaskPartSpace``).
///
/// Heads are task-private, dense and not searched. Batch normalisation in the trunk is not supported (its running
/// statistics would mix the tasks); non-searchable trunk parameters are owned by the shared part.
/// ``MultiTaskTrunk`` builds the fully connected and convolutional trunks `ilnas multitask` searches.
public final class MultiTaskNetwork {
    /// An owner of trunk entries, and a budget share: the shared architecture or one task's.
    public enum Part: Hashable, Sendable, CustomStringConvertible {
        case shared
        case task(Int)

        public var description: String {
            switch self {
            case .shared: "shared"
            case let .task(index): "task \(index)"
            }
        }
    }

    /// The layers every task runs (in its view).
    public let trunk: Layer
    /// One output layer per task.
    public let heads: [Layer]
    /// The shape of one sample, without the batch dimension, common to all tasks.
    public let inputShape: [Int]
    /// `trunk` followed by the head of each task.
    public let taskNetworks: [Sequential]
    /// Every parameter of the trunk, in the trunk's order.
    public let trunkParameters: [Parameter]
    /// The trunk family that built the network (``MultiTaskTrunk/makeNetwork(inputShape:classCounts:startingCounts:seed:)``),
    /// which its file records; `nil` for a trunk built otherwise, which cannot be saved.
    public internal(set) var family: MultiTaskTrunk?

    /// Per trunk parameter and entry: -1 nobody, 0 shared, `t + 1` task `t`.
    private var owners: [[Int8]]
    /// Trunk entries per owner code + 1 (nobody, shared, task 0, ...), kept as entries change hands.
    private var ownerCounts: [Int]
    /// The task whose view is installed, or `nil` for the union view.
    public private(set) var installedTask: Int?
    /// The stored values of the union, kept while a task's view is installed.
    private var unionValues: [Tensor] = []
    /// The masks of each view, computed when first installed after an ownership change; `nil` key: the union.
    private var maskCache: [Int?: [ArchitectureMask]] = [:]

    /// The number of tasks.
    public var taskCount: Int { heads.count }

    /// A multi-task network on `trunk`, whose present entries become the shared part, with one head per task.
    /// - Throws: ``SearchError/invalidSetting(_:)`` without heads, when a head does not fit the trunk's output, when
    ///   a parameter belongs to two places, or when the trunk holds batch normalisation.
    public init(trunk: Layer, heads: [Layer], inputShape: [Int]) throws {
        guard !heads.isEmpty, heads.count <= Int(Int8.max) - 1 else {
            throw SearchError.invalidSetting("a multi-task network needs 1 to \(Int(Int8.max) - 1) heads, got \(heads.count)")
        }
        do {
            let features = try trunk.outputShape(forInput: [1] + inputShape)
            for head in heads { _ = try head.outputShape(forInput: features) }
        } catch {
            throw SearchError.invalidSetting("the heads do not fit the trunk for input \(inputShape): \(error)")
        }
        if LayerSearchSpace.flattened(trunk).contains(where: { $0 is BatchNorm2d }) {
            throw SearchError.invalidSetting("a multi-task trunk cannot hold batch normalisation: its statistics would mix the tasks")
        }
        let all = trunk.parameters + heads.flatMap(\.parameters)
        guard Set(all.map(ObjectIdentifier.init)).count == all.count else {
            throw SearchError.invalidSetting("a parameter appears twice in the trunk and heads")
        }
        self.trunk = trunk
        self.heads = heads
        self.inputShape = inputShape
        trunkParameters = trunk.parameters
        taskNetworks = heads.enumerated().map { index, head in Sequential(name: "task\(index)", [trunk, head]) }
        owners = trunkParameters.map { parameter in
            (0..<parameter.count).map { parameter.isSearchable && !parameter.mask.isActive($0) ? -1 : 0 }
        }
        ownerCounts = [Int](repeating: 0, count: heads.count + 2)
        for owner in owners { for code in owner { ownerCounts[Int(code) + 1] += 1 } }
    }

    // MARK: Ownership

    /// The owner of entry `entry` of trunk parameter `index`, `nil` for nobody.
    public func owner(ofEntry entry: Int, inTrunkParameter index: Int) -> Part? {
        Self.part(owners[index][entry])
    }

    /// The flat indices of the entries of trunk parameter `index` that nobody owns: what the search may add.
    public func unownedEntries(inTrunkParameter index: Int) -> [Int] {
        guard trunkParameters[index].isSearchable else { return [] }
        return owners[index].indices.filter { owners[index][$0] < 0 }
    }

    /// Gives the unowned entry `entry` of trunk parameter `index` to `part`, with value `value` (0 by default, so that
    /// no task's output changes) and fresh optimizer state. Runs in the union view.
    /// - Throws: ``SearchError/invalidSetting(_:)`` when the entry does not exist or is owned already, or `part` names
    ///   a task the network does not have.
    public func assign(entry: Int, inTrunkParameter index: Int, to part: Part, value: Float = 0) throws {
        guard trunkParameters.indices.contains(index), owners[index].indices.contains(entry) else {
            throw SearchError.invalidSetting("no entry \(entry) in trunk parameter \(index)")
        }
        guard owners[index][entry] < 0 else {
            throw SearchError.invalidSetting("entry \(entry) of \(trunkParameters[index].name) is owned already")
        }
        if case let .task(task) = part, !(0..<taskCount).contains(task) {
            throw SearchError.invalidSetting("no task \(task): the network has tasks 0..<\(taskCount)")
        }
        installUnion()
        owners[index][entry] = Self.code(part)
        ownerCounts[0] -= 1
        ownerCounts[Int(Self.code(part)) + 1] += 1
        trunkParameters[index].activate(entry, initialValue: value)
        maskCache = [:]
    }

    /// Every trunk entry's owner code, per trunk parameter: -1 nobody, 0 shared, `t + 1` task `t`.
    var ownerCodes: [[Int8]] { owners }

    /// Replaces the trunk's ownership by `codes` (as ``ownerCodes`` gives them) and its stored values by `values` (zero
    /// where nobody owns an entry), installs the union view and clears gradients and optimizer state. The caller has
    /// checked that shapes match and that every code names nobody, the shared part or a task of this network.
    func replaceOwnership(_ codes: [[Int8]], values: [Tensor]) {
        installUnion()
        owners = codes
        ownerCounts = [Int](repeating: 0, count: heads.count + 2)
        for owner in owners { for code in owner { ownerCounts[Int(code) + 1] += 1 } }
        maskCache = [:]
        for (parameter, (value, mask)) in zip(trunkParameters, zip(values, viewMasks(nil))) {
            parameter.value = value
            parameter.mask = mask
            parameter.optimizerState = [:]
            parameter.zeroGradient()
        }
    }

    /// The present weights and biases that `part` owns; a task's count includes its head.
    public func ownCount(of part: Part) -> Int {
        let trunkCount = ownerCounts[Int(Self.code(part)) + 1]
        guard case let .task(task) = part else { return trunkCount }
        return trunkCount + heads[task].parameters.reduce(0) { $0 + $1.activeCount }
    }

    /// The present weights and biases task `t` computes with: the shared part's and its own.
    public func parameterCount(ofTask task: Int) -> Int {
        ownCount(of: .shared) + ownCount(of: .task(task))
    }

    /// Every present weight and bias, each counted once: the trunk's owned entries and every head.
    public var parameterCount: Int {
        ownerCounts.dropFirst().reduce(0, +) + heads.flatMap(\.parameters).reduce(0) { $0 + $1.activeCount }
    }

    /// The trunk's parameters and every head's: what the weight optimizer steps.
    public var allParameters: [Parameter] { trunkParameters + heads.flatMap(\.parameters) }

    // MARK: Views

    /// Gives the trunk the view of task `task`: mask `α_s ∪ α_t`, stored values there, zero elsewhere.
    /// - Throws: ``SearchError/invalidSetting(_:)`` when the network has no task `task`.
    public func installView(task: Int) throws {
        guard (0..<taskCount).contains(task) else {
            throw SearchError.invalidSetting("no task \(task): the network has tasks 0..<\(taskCount)")
        }
        guard installedTask != task else { return }
        if installedTask == nil { unionValues = trunkParameters.map(\.value) }
        let masks = viewMasks(task)
        for (index, parameter) in trunkParameters.enumerated() {
            var value = unionValues[index]
            let mask = masks[index]
            if !mask.isFull {
                value.withUnsafeMutableBufferPointer { v in
                    mask.flags.withUnsafeBufferPointer { flags in
                        for i in 0..<v.count where flags[i] == 0 { v[i] = 0 }
                    }
                }
            }
            parameter.value = value
            parameter.mask = mask
        }
        installedTask = task
    }

    /// Puts the union view back: every owned entry present with its stored value.
    public func installUnion() {
        guard installedTask != nil else { return }
        let masks = viewMasks(nil)
        for (index, parameter) in trunkParameters.enumerated() {
            parameter.value = unionValues[index]
            parameter.mask = masks[index]
        }
        unionValues = []
        installedTask = nil
    }

    /// The trunk masks of the view of `task` (`nil`: the union).
    public func viewMasks(_ task: Int?) -> [ArchitectureMask] {
        if let cached = maskCache[task] { return cached }
        let own = task.map { Int8($0 + 1) }
        let masks = zip(trunkParameters, owners).map { parameter, owner in
            ArchitectureMask(shape: parameter.shape, flags: owner.map { $0 == 0 || ($0 > 0 && (own == nil || $0 == own)) })
        }
        maskCache[task] = masks
        return masks
    }

    // MARK: Training

    /// Computes the gradients of one multi-task step: each task's batch (`nil`: the task sits this step out) runs in its
    /// view, and its trunk gradient is added where its view is present; afterwards the union view is installed, the
    /// trunk gradients hold the sums and each head's gradient its task's. Returns each task's loss (`nil` when it sat
    /// out). The caller steps the optimizer on ``allParameters``.
    @discardableResult
    public func accumulateTrainingGradients(_ batches: [LabeledBatch?], objective: any Objective = SoftmaxCrossEntropyObjective(),
                                            mode: ForwardMode = .training) throws -> [Float?] {
        guard batches.count == taskCount else {
            throw SearchError.invalidSetting("one batch (or nil) per task: \(taskCount) tasks, \(batches.count) batches")
        }
        for parameter in allParameters { parameter.zeroGradient() }
        var sums = trunkParameters.map { Tensor(zeros: $0.shape) }
        var losses: [Float?] = []
        for (task, batch) in batches.enumerated() {
            guard let batch else {
                losses.append(nil)
                continue
            }
            try installView(task: task)
            for parameter in trunkParameters { parameter.zeroGradient() }
            let outputs = try taskNetworks[task].forward(batch.inputs, mode: mode)
            let result = try objective.lossAndGradient(outputs: outputs, labels: batch.labels)
            try taskNetworks[task].accumulateParameterGradients(result.outputGradient)
            for (index, parameter) in trunkParameters.enumerated() {
                let mask = parameter.mask
                sums[index].withUnsafeMutableBufferPointer { sum in
                    parameter.gradient.withUnsafeBufferPointer { gradient in
                        mask.flags.withUnsafeBufferPointer { flags in
                            for i in 0..<sum.count where flags[i] != 0 { sum[i] += gradient[i] }
                        }
                    }
                }
            }
            losses.append(result.loss)
        }
        installUnion()
        for (parameter, sum) in zip(trunkParameters, sums) { parameter.gradient = sum }
        return losses
    }

    /// Mean loss and accuracy of task `task` on every batch of `data`, in its view (inference mode).
    public func evaluate(task: Int, on data: BatchSource, objective: any Objective = SoftmaxCrossEntropyObjective()) throws
        -> (loss: Float, accuracy: Float) {
        try installView(task: task)
        defer { installUnion() }
        return try Evaluation.evaluate(taskNetworks[task], on: data, objective: objective)
    }

    // MARK: Snapshots

    /// Captures weights, gradients, masks, optimizer state and ownership (in the union view); the closure restores them.
    public func snapshot() -> () -> Void {
        installUnion()
        let saved = allParameters.map { ($0, $0.copy()) }
        let savedOwners = owners, savedCounts = ownerCounts
        return { [self] in
            for (parameter, copy) in saved {
                parameter.value = copy.value
                parameter.gradient = copy.gradient
                parameter.mask = copy.mask
                parameter.optimizerState = copy.optimizerState
            }
            owners = savedOwners
            ownerCounts = savedCounts
            unionValues = []
            installedTask = nil
            maskCache = [:]
        }
    }

    private static func code(_ part: Part) -> Int8 {
        switch part {
        case .shared: 0
        case let .task(task): Int8(task + 1)
        }
    }

    private static func part(_ code: Int8) -> Part? {
        code < 0 ? nil : code == 0 ? .shared : .task(Int(code) - 1)
    }
}
