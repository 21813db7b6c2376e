import Foundation
import NeuralNetwork
import TensorCore
import Training

/// Phase II of Algorithm 1: one architecture expansion by the two-step selection of Section 3.3.
///
/// ```
/// g(α)   ← ∇_W L(α, W)                                  gradients at the current architecture,
///                                                        absent entries included
/// α*     ← AddCandidates: α plus the n absent units with the best first scores s(g(α))
/// W*     ← W − η g(α) on α*                              one gradient step on the hyper-architecture
/// g(α*)  ← ∇_W L(α*, W*)
/// α'     ← UpdateArch: α plus the m candidates with the best scores s(g(α) + g(α*))
/// W      ← W, new entries 0                              the weights are held constant, so the
///                                                        network's output does not change
/// ```
///
/// **Scores.** A unit `u` with gradient `g_u` over its entries, which costs `c_u` parameters to add
/// (its entries, plus the bias and incoming weights of a placeholder node it promotes; under a compute
/// limit, plus the compute it adds converted to parameters, see ``SearchBudget/weight(of:cost:in:)``),
/// scores `s = ‖g_u‖₂ / √c_u`. Its square `‖g_u‖² / c_u` is the first-order loss decrease per budget
/// parameter of a gradient step on the unit, so units of different sizes (a weight, a kernel, a new
/// node, a connection) are ranked by what they buy for the budget they use; for a single weight between
/// real channels the score is the paper's `|∂L/∂(α_i W_i)|`. This departs from the paper where a unit
/// promotes a placeholder: the paper adds a node with its first outgoing connection (Figure 1, centre) and
/// counts only that weight, whereas here the node's bias and incoming weights count too, since they use
/// the budget as much as any other parameter; a new node therefore needs a gradient about √(fan-in) times
/// larger than a weight between existing channels. A unit whose score is not positive would not lower the
/// loss to first order and is never added: when fewer useful units exist than the target asks for,
/// fewer are added, and the audit record says so (``ExpansionRecord/outcome``).
///
/// n and m are counted in parameters: the expansion aims to add `targetParameters` (set by the
/// architecture learning rate) and takes candidates holding `candidateFactor` times as many into the
/// hyper-architecture. The ``SearchBudget`` admits every unit, so the network never exceeds it; a
/// unit that a growth limit forbids is skipped, and an error at any point restores the network as it
/// was before the expansion, revived channels included. Hidden channels that are zero on every scoring
/// sample are re-initialised first (``SearchSpace/reviveDeadChannels(on:)``), so that budget spent on
/// them is not lost for good; the audit records the loss on a batch not used for scoring before and after
/// each expansion (``ExpansionCallback``), which shows whether that changed the function elsewhere.
public final class ArchitectureOptimizer {
    /// How units are chosen.
    public enum Selection: Sendable, Equatable {
        /// The paper's two-step gradient selection.
        case gradient
        /// Uniformly random units under the same schedule and budget: the random-growth baseline.
        case random
    }

    /// The hard limits on the network's size.
    public let budget: SearchBudget
    /// The paper's gradient selection, or random growth for the baseline.
    public let selection: Selection
    /// Candidates in the hyper-architecture, as a multiple of the parameters to add (n / m ≥ 1).
    public var candidateFactor: Double
    /// The loss whose gradients score units and whose value the audit records (softmax cross-entropy by default).
    public var objective: any Objective = SoftmaxCrossEntropyObjective()
    /// The processes searching together (data parallelism): the scoring gradients of both passes are summed across
    /// them, so that every process takes the same decision. Default: this process alone.
    public var communicator: any Communicator = SingleProcess()
    /// What random growth draws its units from; part of a search's checkpoint (``ExpansionCallback/State``).
    var generator: RandomGenerator

    /// An optimizer that grows spaces within `budget`; `seed` drives random growth (the gradient selection
    /// draws nothing). Throws when `candidateFactor` is below 1.
    public init(budget: SearchBudget, selection: Selection = .gradient, candidateFactor: Double = 2, seed: UInt64) throws {
        guard candidateFactor >= 1 else { throw SearchError.invalidSetting("the candidate factor must be at least 1, got \(candidateFactor)") }
        self.budget = budget
        self.selection = selection
        self.candidateFactor = candidateFactor
        generator = RandomGenerator(seed: seed)
    }

    /// The score of a unit with gradient `gradient` over its entries and a cost of `cost` parameters:
    /// `‖gradient‖₂ / √cost`, or 0 for a unit that cannot be added (`cost` 0).
    public static func score(_ gradient: [Float], cost: Double) -> Float {
        guard cost > 0 else { return 0 }
        let squares = gradient.reduce(Double(0)) { $0 + Double($1) * Double($1) }
        return Float((squares / cost).squareRoot())
    }

    /// Expands the architecture of `space` by about `targetParameters` parameters at `granularity`,
    /// scoring on `batches`, and returns the audit record (epoch and step are left for the caller). The loss
    /// before and after is measured on `auditBatch` (default: the first scoring batch).
    public func expand(_ space: any SearchSpace, granularity: any SearchGranularity, batches: [LabeledBatch],
                       targetParameters: Int, stepSize: Float, auditBatch: LabeledBatch? = nil) throws -> ExpansionRecord {
        let started = Date()
        let auditBatches = [auditBatch ?? batches.first].compactMap { $0 }
        let lossBefore = try meanLoss(space.network, batches: auditBatches)
        let restoreAll = space.snapshot()
        space.beginScoring()
        var record: ExpansionRecord
        do {
            let revived = try space.reviveDeadChannels(on: batches.map(\.inputs))
            // The hyper-architecture step returns here: probes and revived channels stay.
            let restoreHyper = space.snapshot()
            record = try grow(space, granularity: granularity, batches: batches, targetParameters: targetParameters,
                              stepSize: stepSize, restore: restoreHyper)
            record.revivedChannels = revived
        } catch {
            space.endScoring()
            restoreAll()
            throw error
        }
        space.endScoring()
        record.lossBefore = lossBefore
        record.lossAfter = try meanLoss(space.network, batches: auditBatches)
        record.seconds = Date().timeIntervalSince(started)
        return record
    }

    private func grow(_ space: any SearchSpace, granularity: any SearchGranularity, batches: [LabeledBatch],
                      targetParameters: Int, stepSize: Float, restore: () -> Void) throws -> ExpansionRecord {
        let before = space.parameterCount
        let target = min(targetParameters, budget.remainingParameters(in: space))

        // 2.1 Compute g(α), including the absent entries, and score every unit.
        space.setCandidateGradients(granularity.searchesStructure)
        try accumulateGradients(space, batches: batches)
        let units = granularity.allUnits(in: space)
        let table = space.parameterTable()
        let parameters = units.map { table[$0.key] }
        let firstGradients = zip(units, parameters).map { unit, parameter in gradients(of: unit, in: parameter) }
        let costs = units.indices.map { firstGradients[$0].contains { $0 != 0 } ? space.cost(of: units[$0]) : 0 }
        let weights = units.indices.map { budget.weight(of: units[$0], cost: costs[$0], in: space) }
        let firstScores = units.indices.map { Self.score(firstGradients[$0], cost: weights[$0]) }

        var ranking: [Int]
        var candidates: [Int] = []
        var refused = 0   // useful units the budget or a limit refused
        var hyperLoss: Float?
        var combinedScores = firstScores
        switch selection {
        case .random:
            ranking = generator.permutation(units.count)
        case .gradient:
            // AddCandidates: the best units with a positive score that the budget admits now, until α* holds
            // n = factor · m parameters more than α. A unit's cost counts the placeholder it promotes, which an
            // earlier candidate may promote already, so units are added until the parameters really added reach
            // n, from a prefix whose costs add up to at most 4n (admission is judged on α, before any addition).
            let goal = Int(candidateFactor * Double(max(target, 1)))
            let useful = byDescending(firstScores).lazy.filter { index in
                guard firstScores[index] > 0 else { return false }
                guard self.budget.admits(units[index], cost: costs[index], in: space) else {
                    refused += 1
                    return false
                }
                return true
            }
            let admissible = takeUntil(4 * goal, from: useful, costs: costs)
            // A growth limit can forbid a unit once others are in (a second new layer, for example): it is skipped.
            let start = space.parameterCount
            for index in admissible where space.cost(of: units[index]) > 0 {
                guard space.parameterCount - start < goal else { break }
                try space.add(units[index])
                candidates.append(index)
            }
            // One gradient step on the hyper-architecture α*, then g(α*).
            gradientStep(space.network.parameters, stepSize: stepSize)
            space.setCandidateGradients(false)
            hyperLoss = try accumulateGradients(space, batches: batches)
            for index in candidates {
                let second = gradients(of: units[index], in: parameters[index])
                combinedScores[index] = Self.score(zip(firstGradients[index], second).map { $0 + $1 }, cost: weights[index])
            }
            // Weights are held constant while the architecture changes.
            restore()
            ranking = candidates.filter { combinedScores[$0] > 0 }
                .sorted { combinedScores[$0] != combinedScores[$1] ? combinedScores[$0] > combinedScores[$1] : $0 < $1 }
        }

        // UpdateArch: keep the best m, never exceeding the budget; skip what a limit forbids.
        var kept: [Int] = []
        var addedPerLayer: [String: Int] = [:]
        for index in ranking where space.parameterCount - before < target {
            let unit = units[index]
            guard budget.admits(unit, cost: space.cost(of: unit), in: space) else {
                refused += 1
                continue
            }
            let count = space.parameterCount
            try space.add(unit)
            addedPerLayer[unit.label, default: 0] += space.parameterCount - count
            kept.append(index)
        }
        space.finishAdding()
        space.setCandidateGradients(false)

        let after = space.parameterCount
        let outcome: ExpansionRecord.Outcome = after - before >= target ? .targetReached
            : refused > 0 ? .limitsReached : .outOfUsefulUnits
        return ExpansionRecord(
            epoch: 0, step: 0, granularity: granularity.name,
            selection: selection == .gradient ? "ilnas" : "random", architectureLearningRate: 0,
            targetParameters: target,
            usefulUnits: firstScores.filter { $0 > 0 }.count,
            candidateUnits: candidates.count,
            candidateParameters: candidates.reduce(0) { $0 + costs[$1] },
            addedUnits: kept.count, addedParameters: after - before,
            zeroScoreUnits: kept.filter { firstScores[$0] <= 0 }.count,
            outcome: outcome,
            addedUnitsPerLayer: Dictionary(grouping: kept, by: { units[$0].label }).mapValues(\.count),
            addedParametersPerLayer: addedPerLayer,
            allScores: .init(firstScores), candidateScores: .init(candidates.map { combinedScores[$0] }),
            keptScores: .init(kept.map { combinedScores[$0] }),
            parametersBefore: before, parametersAfter: after, budget: budget.parameters,
            budgetUsed: Double(after) / Double(budget.parameters),
            lossBefore: 0, lossAfter: 0, hyperArchitectureLoss: hyperLoss,
            revivedChannels: 0, deadChannels: nil,
            seconds: 0)
    }

    // MARK: Steps of the algorithm

    /// Mean loss over `batches`, leaving `∂L/∂(α ⊙ W)` (averaged over the batches) in every scored parameter. With
    /// several processes in ``communicator``, each takes its shard of every batch and the gradients and the loss are
    /// summed across them in one reduction, so every process scores with the gradients of the whole batches.
    @discardableResult
    private func accumulateGradients(_ space: any SearchSpace, batches: [LabeledBatch]) throws -> Float {
        for parameter in space.scoredParameters { parameter.zeroGradient() }
        var total: Float = 0
        for globalBatch in batches {
            let batch = communicator.isAlone ? globalBatch : globalBatch.rows(communicator.shard(of: globalBatch.labels.count))
            guard !batch.labels.isEmpty else { continue }
            let share: Float = communicator.isAlone ? 1 : Float(batch.labels.count) / Float(globalBatch.labels.count)
            let logits = try space.network.forward(batch.inputs, mode: .training)
            let result = try objective.lossAndGradient(outputs: logits, labels: batch.labels)
            var gradient = result.outputGradient
            let scale = share / Float(batches.count)
            gradient.withUnsafeMutableBufferPointer { g in
                for i in 0..<g.count { g[i] *= scale }
            }
            _ = try space.network.backward(gradient)
            total += communicator.isAlone ? result.loss : result.loss * share
        }
        if !communicator.isAlone {
            let parameters = Self.reductionOrder(space)
            let reduced = try communicator.allReduceSum(parameters.map(\.gradient) + [Tensor(shape: [1], scalars: [total])])
            for (parameter, gradient) in zip(parameters, reduced) { parameter.gradient = gradient }
            total = reduced[parameters.count][flat: 0]
        }
        return total / Float(max(1, batches.count))
    }

    /// Every parameter whose gradient the expansion reads, in an order that is the same in every process: the scored
    /// parameters by key, then the network's other parameters in the network's order.
    private static func reductionOrder(_ space: any SearchSpace) -> [Parameter] {
        let scored = space.parameterTable().sorted { $0.key < $1.key }.map(\.value)
        var seen = Set(scored.map(ObjectIdentifier.init))
        return scored + space.network.parameters.filter { seen.insert(ObjectIdentifier($0)).inserted }
    }

    private func meanLoss(_ network: Layer, batches: [LabeledBatch]) throws -> Float {
        var total: Float = 0
        for batch in batches {
            total += try objective.lossAndGradient(outputs: network.forward(batch.inputs, mode: .inference), labels: batch.labels).loss
        }
        return total / Float(max(1, batches.count))
    }

    /// `W ← W − η g` on the present entries.
    private func gradientStep(_ parameters: [Parameter], stepSize: Float) {
        for parameter in parameters {
            let mask = parameter.mask
            let gradient = parameter.gradient
            parameter.value.withUnsafeMutableBufferPointer { w in
                for i in 0..<w.count where mask.isActive(i) { w[i] -= stepSize * gradient[flat: i] }
            }
        }
    }

    /// The gradient entries a unit covers.
    private func gradients(of unit: SearchUnit, in parameter: Parameter?) -> [Float] {
        guard let parameter else { return [Float](repeating: 0, count: unit.entries.count) }
        return unit.entries.map { parameter.gradient[flat: $0] }
    }

    private func byDescending(_ scores: [Float]) -> [Int] {
        scores.indices.sorted { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : $0 < $1 }
    }

    /// The first units of `order` whose costs add up to at least `parameters`.
    private func takeUntil(_ parameters: Int, from order: some Sequence<Int>, costs: [Int]) -> [Int] {
        var taken: [Int] = []
        var total = 0
        for index in order {
            guard total < parameters else { break }
            taken.append(index)
            total += costs[index]
        }
        return taken
    }
}
