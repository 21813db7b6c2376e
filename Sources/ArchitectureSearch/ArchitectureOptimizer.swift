import Foundation
import NeuralNetwork
import TensorCore
import Training

/// Phase II of Algorithm 1: one architecture expansion by the two-step selection of Section 3.3.
///
/// ```
/// g(α)   ← ∇_W L(α, W)                                  gradients at the current architecture,
///                                                        absent entries included
/// α*     ← AddCandidates: α plus the n absent units with the largest |∂L/∂(α_i W_i)|
/// W*     ← W − η g(α) on α*                              one gradient step on the hyper-architecture
/// g(α*)  ← ∇_W L(α*, W*)
/// α'     ← UpdateArch: α plus the m candidates with the largest |g(α) + g(α*)|
/// W      ← W, new entries 0                              the weights are held constant, so the
///                                                        network's output does not change
/// ```
///
/// n and m are counted in parameters: the expansion aims to add `targetParameters` (set by the
/// architecture learning rate), takes candidates holding `candidateFactor` times as many into the
/// hyper-architecture, and never lets the network exceed `budget` present parameters.
public final class ArchitectureOptimizer {
    /// How units are chosen.
    public enum Selection: Sendable, Equatable {
        /// The paper's two-step gradient selection.
        case gradient
        /// Uniformly random units under the same schedule and budget: the random-growth baseline.
        case random
    }

    /// The hard limit on present weights and biases.
    public let budget: Int
    public let selection: Selection
    /// Candidates in the hyper-architecture, as a multiple of the parameters to add (n / m ≥ 1).
    public var candidateFactor: Double
    /// An optional second hard limit: multiply-accumulates of one sample's forward pass. Parameters
    /// alone do not bound time: a channel at full resolution costs few parameters and much compute.
    public let computeBudget: Int?
    private var generator: RandomGenerator

    public init(budget: Int, computeBudget: Int? = nil, selection: Selection = .gradient, candidateFactor: Double = 2, seed: UInt64) throws {
        guard budget > 0 else { throw SearchError.invalidSetting("the budget must be positive, got \(budget)") }
        if let computeBudget, computeBudget <= 0 {
            throw SearchError.invalidSetting("the compute budget must be positive, got \(computeBudget)")
        }
        self.computeBudget = computeBudget
        guard candidateFactor >= 1 else { throw SearchError.invalidSetting("the candidate factor must be at least 1, got \(candidateFactor)") }
        self.budget = budget
        self.selection = selection
        self.candidateFactor = candidateFactor
        generator = RandomGenerator(seed: seed)
    }

    /// Expands the architecture of `space` by about `targetParameters` parameters at `granularity`,
    /// scoring on `batches`, and returns the audit record (epoch and step are left for the caller).
    public func expand(_ space: any SearchSpace, granularity: any SearchGranularity, batches: [LabeledBatch],
                       targetParameters: Int, stepSize: Float) throws -> ExpansionRecord {
        let started = Date()
        let before = space.parameterCount
        let target = min(targetParameters, budget - before)

        // 2.1 Compute g(α), including the absent entries, and score every unit.
        space.setCandidateGradients(granularity.searchesStructure)
        let lossBefore = try accumulateGradients(space, batches: batches)
        let units = granularity.allUnits(in: space)
        let table = space.parameterTable()
        let parameters = units.map { table[$0.key] }
        let firstGradients = zip(units, parameters).map { unit, parameter in gradients(of: unit, in: parameter) }
        let firstScores = firstGradients.map(norm)

        var ranking: [Int]
        var candidates: [Int] = []
        var hyperLoss: Float?
        var combinedScores = firstScores
        switch selection {
        case .random:
            ranking = generator.permutation(units.count)
        case .gradient:
            // AddCandidates: the best units by |g(α)| until they hold n = factor · m parameters.
            candidates = takeUntil(Int(candidateFactor * Double(max(target, 1))), from: byDescending(firstScores), units: units, space: space)
            let restore = space.snapshot()
            for index in candidates { try space.add(units[index]) }
            // One gradient step on the hyper-architecture α*, then g(α*).
            gradientStep(space.network.parameters, stepSize: stepSize)
            space.setCandidateGradients(false)
            hyperLoss = try accumulateGradients(space, batches: batches)
            for index in candidates {
                let second = gradients(of: units[index], in: parameters[index])
                combinedScores[index] = norm(zip(firstGradients[index], second).map { $0 + $1 })
            }
            // Weights are held constant while the architecture changes.
            restore()
            ranking = candidates.sorted { combinedScores[$0] > combinedScores[$1] }
        }

        // UpdateArch: keep the best m, never exceeding the budget (nor the compute budget, if any).
        var kept: [Int] = []
        var added = 0
        for index in ranking where added < target {
            let cost = space.cost(of: units[index])
            guard cost > 0, space.parameterCount + cost <= budget else { continue }
            if let computeBudget, space.projectedMultiplyAccumulates(adding: units[index]) > computeBudget { continue }
            try space.add(units[index])
            added = space.parameterCount - before
            kept.append(index)
        }
        space.finishAdding()
        space.setCandidateGradients(false)
        let lossAfter = try meanLoss(space.network, batches: batches)

        let after = space.parameterCount
        return ExpansionRecord(
            epoch: 0, step: 0, granularity: granularity.name,
            selection: selection == .gradient ? "ilnas" : "random", architectureLearningRate: 0,
            targetParameters: target,
            candidateUnits: candidates.count,
            candidateParameters: candidates.reduce(0) { $0 + units[$1].entries.count },
            addedUnits: kept.count, addedParameters: after - before,
            addedUnitsPerLayer: Dictionary(grouping: kept, by: { units[$0].label }).mapValues(\.count),
            allScores: .init(firstScores), candidateScores: .init(candidates.map { combinedScores[$0] }),
            keptScores: .init(kept.map { combinedScores[$0] }),
            parametersBefore: before, parametersAfter: after, budget: budget,
            budgetUsed: Double(after) / Double(budget),
            lossBefore: lossBefore, lossAfter: lossAfter, hyperArchitectureLoss: hyperLoss,
            seconds: Date().timeIntervalSince(started))
    }

    // MARK: Steps of the algorithm

    /// Mean loss over `batches`, leaving `∂L/∂(α ⊙ W)` (averaged over the batches) in every scored parameter.
    private func accumulateGradients(_ space: any SearchSpace, batches: [LabeledBatch]) throws -> Float {
        for parameter in space.scoredParameters { parameter.zeroGradient() }
        var total: Float = 0
        for batch in batches {
            let logits = try space.network.forward(batch.inputs, mode: .training)
            let result = try SoftmaxCrossEntropy.lossAndGradient(logits: logits, labels: batch.labels)
            var gradient = result.logitsGradient
            let scale = 1 / Float(batches.count)
            gradient.withUnsafeMutableBufferPointer { g in
                for i in 0..<g.count { g[i] *= scale }
            }
            _ = try space.network.backward(gradient)
            total += result.loss
        }
        return total / Float(max(1, batches.count))
    }

    private func meanLoss(_ network: Layer, batches: [LabeledBatch]) throws -> Float {
        var total: Float = 0
        for batch in batches {
            total += try SoftmaxCrossEntropy.lossAndGradient(logits: network.forward(batch.inputs, mode: .inference), labels: batch.labels).loss
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

    private func norm(_ values: [Float]) -> Float {
        values.reduce(0) { $0 + $1 * $1 }.squareRoot()
    }

    private func byDescending(_ scores: [Float]) -> [Int] {
        scores.indices.sorted { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : $0 < $1 }
    }

    /// The first units of `order` whose costs add up to at least `parameters`.
    private func takeUntil(_ parameters: Int, from order: [Int], units: [SearchUnit], space: any SearchSpace) -> [Int] {
        var taken: [Int] = []
        var total = 0
        for index in order where total < parameters {
            let cost = space.cost(of: units[index])
            guard cost > 0 else { continue }
            taken.append(index)
            total += cost
        }
        return taken
    }
}
