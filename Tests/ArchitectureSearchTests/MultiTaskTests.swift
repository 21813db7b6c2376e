import ArchitectureSearch
import NeuralNetwork
import TensorCore
import Training
import XCTest

/// Multi-task search (Section 4.2): summed shared gradients, task-private gradients, the shared part's scores, function
/// preservation of every part's growth, the budget shares, determinism, and the default objective.
final class MultiTaskTests: XCTestCase {
    private typealias Part = MultiTaskNetwork.Part

    /// Two tasks on 5 features through hidden layers of 6 and 4, with 3 and 4 classes.
    private func makeModel(seed: UInt64 = 11, starts: [Part: Int] = [.shared: 8, .task(0): 6, .task(1): 6]) throws -> MultiTaskNetwork {
        try MultiTaskTrunk.fullyConnected(hiddenWidths: [6, 4]).makeNetwork(inputShape: [5], classCounts: [3, 4], startingCounts: starts, seed: seed)
    }

    private func batches(task: Int, count: Int = 2, size: Int = 8, seed: UInt64 = 5) -> [LabeledBatch] {
        SearchFixtures.batches(inputShape: [5], classes: task == 0 ? 3 : 4, count: count, batchSize: size, seed: seed &+ UInt64(task) &* 101)
    }

    /// `∂L_t/∂(α ⊙ W)` of every trunk parameter for task `task` alone, computed as a single-task network would: its view,
    /// one forward and backward of its network.
    private func taskGradients(_ model: MultiTaskNetwork, task: Int, batch: LabeledBatch) throws -> (trunk: [Tensor], head: [Tensor]) {
        try model.installView(task: task)
        defer { model.installUnion() }
        for parameter in model.allParameters { parameter.zeroGradient() }
        let outputs = try model.taskNetworks[task].forward(batch.inputs, mode: .training)
        let result = try SoftmaxCrossEntropy.lossAndGradient(logits: outputs, labels: batch.labels)
        _ = try model.taskNetworks[task].backward(result.logitsGradient)
        return (model.trunkParameters.map(\.gradient), model.heads[task].parameters.map(\.gradient))
    }

    func testSharedEntriesGetTheSumOfTheTaskGradientsAndTaskEntriesOnlyTheirOwn() throws {
        let model = try makeModel()
        let first = batches(task: 0)[0], second = batches(task: 1)[0]
        let (trunk0, head0) = try taskGradients(model, task: 0, batch: first)
        let (trunk1, head1) = try taskGradients(model, task: 1, batch: second)

        try model.accumulateTrainingGradients([first, second])
        XCTAssertNil(model.installedTask, "the union view is installed after a step's gradients")
        var counted: [String: Int] = [:]
        for (index, parameter) in model.trunkParameters.enumerated() {
            for entry in 0..<parameter.count {
                let expected: Float
                switch model.owner(ofEntry: entry, inTrunkParameter: index) {
                case .shared?: expected = trunk0[index][flat: entry] + trunk1[index][flat: entry]; counted["shared", default: 0] += 1
                case .task(0)?: expected = trunk0[index][flat: entry]; counted["task0", default: 0] += 1
                case .task(1)?: expected = trunk1[index][flat: entry]; counted["task1", default: 0] += 1
                default: expected = 0
                }
                XCTAssertEqual(parameter.gradient[flat: entry], expected, accuracy: 1e-6 * max(1, abs(expected)),
                               "\(parameter.name)[\(entry)] owned by \(String(describing: model.owner(ofEntry: entry, inTrunkParameter: index)))")
            }
        }
        XCTAssertEqual(counted["shared"], 8 + 10, "the starting shared weights and the 10 hidden biases")
        XCTAssertEqual(counted["task0"], 6)
        XCTAssertEqual(counted["task1"], 6)
        // Gradient flows into the task-private entries at all (the comparison is not of zeros only).
        XCTAssertTrue(model.trunkParameters.indices.contains { index in
            (0..<model.trunkParameters[index].count).contains { model.owner(ofEntry: $0, inTrunkParameter: index) == .task(1) && trunk1[index][flat: $0] != 0 }
        })
        for (parameter, expected) in zip(model.heads[0].parameters, head0) { XCTAssertEqual(parameter.gradient, expected) }
        for (parameter, expected) in zip(model.heads[1].parameters, head1) { XCTAssertEqual(parameter.gradient, expected) }
    }

    func testAViewKeepsTheParameterInvariantAndTheUnionComesBackExactly() throws {
        let model = try makeModel()
        let union = model.trunkParameters.map(\.value)
        let unionMasks = model.trunkParameters.map(\.mask)
        for task in 0..<2 {
            try model.installView(task: task)
            for (index, parameter) in model.trunkParameters.enumerated() {
                for entry in 0..<parameter.count {
                    let owner = model.owner(ofEntry: entry, inTrunkParameter: index)
                    let visible = owner == .shared || owner == .task(task)
                    XCTAssertEqual(parameter.mask.isActive(entry), visible)
                    XCTAssertEqual(parameter.value[flat: entry], visible ? union[index][flat: entry] : 0)
                }
            }
        }
        model.installUnion()
        XCTAssertEqual(model.trunkParameters.map(\.value), union)
        XCTAssertEqual(model.trunkParameters.map(\.mask), unionMasks)
    }

    /// The shared part scores an unowned weight by `Σ_t ∂L_t/∂W` at zero: the derivative of the summed losses when the
    /// weight is added to the shared part (present in every task's view). A task part scores by its own task's loss.
    func testPartScoresMatchFiniteDifferences() throws {
        let model = try makeModel()
        let taskBatches = [batches(task: 0, count: 1, size: 12)[0], batches(task: 1, count: 1, size: 12)[0]]
        let shared = try MultiTaskPartSpace(model: model, part: .shared)
        let combined = try MultiTaskScoringNetwork.combined(taskBatches)
        for parameter in shared.scoredParameters { parameter.zeroGradient() }
        let outputs = try shared.network.forward(combined.inputs, mode: .training)
        _ = try shared.network.backward(try shared.objective.lossAndGradient(outputs: outputs, labels: combined.labels).outputGradient)
        let sharedGradients = model.trunkParameters.map(\.gradient)
        // Owned entries get what a training step gives them, so the hyper-architecture step moves them as training would.
        let (trunk0, _) = try taskGradients(model, task: 0, batch: taskBatches[0])
        let (trunk1, _) = try taskGradients(model, task: 1, batch: taskBatches[1])
        for (index, parameter) in model.trunkParameters.enumerated() {
            for entry in 0..<parameter.count {
                let expected: Float
                switch model.owner(ofEntry: entry, inTrunkParameter: index) {
                case .shared?, nil: expected = trunk0[index][flat: entry] + trunk1[index][flat: entry]
                case .task(0)?: expected = trunk0[index][flat: entry]
                case .task(_)?: expected = trunk1[index][flat: entry]
                }
                XCTAssertEqual(sharedGradients[index][flat: entry], expected, accuracy: 1e-6 * max(1, abs(expected)), "\(parameter.name)[\(entry)]")
            }
        }

        let own = try MultiTaskPartSpace(model: model, part: .task(1))
        for parameter in own.scoredParameters { parameter.zeroGradient() }
        let ownOutputs = try own.network.forward(taskBatches[1].inputs, mode: .training)
        _ = try own.network.backward(try own.objective.lossAndGradient(outputs: ownOutputs, labels: taskBatches[1].labels).outputGradient)
        let ownGradients = model.trunkParameters.map(\.gradient)

        /// Σ over `tasks` of each task's loss in its view, in Double.
        func loss(_ tasks: [Int]) throws -> Double {
            try tasks.reduce(0) { total, task in
                try model.installView(task: task)
                defer { model.installUnion() }
                return total + (try SearchFixtures.loss(model.taskNetworks[task], [taskBatches[task]]))
            }
        }
        /// Central differences of the loss of `tasks` when unowned entry `entry` of parameter `index` is added to `part`.
        func derivative(_ index: Int, _ entry: Int, part: Part, tasks: [Int]) throws -> Double {
            let h: Float = 1e-2
            var values: [Double] = []
            for value in [h, -h] {
                let restore = model.snapshot()
                try model.assign(entry: entry, inTrunkParameter: index, to: part, value: value)
                values.append(try loss(tasks))
                restore()
            }
            return (values[0] - values[1]) / (2 * Double(h))
        }

        var checked = 0
        for (index, parameter) in model.trunkParameters.enumerated() where parameter.role == .weight {
            for entry in model.unownedEntries(inTrunkParameter: index).prefix(6) {
                let sharedScore = Double(sharedGradients[index][flat: entry])
                XCTAssertEqual(sharedScore, try derivative(index, entry, part: .shared, tasks: [0, 1]), accuracy: 2e-3 + 2e-2 * abs(sharedScore),
                               "shared score of \(parameter.name)[\(entry)]")
                let ownScore = Double(ownGradients[index][flat: entry])
                XCTAssertEqual(ownScore, try derivative(index, entry, part: .task(1), tasks: [1]), accuracy: 2e-3 + 2e-2 * abs(ownScore),
                               "task 1 score of \(parameter.name)[\(entry)]")
                if sharedScore != 0 { checked += 1 }
            }
        }
        XCTAssertGreaterThan(checked, 3, "some scores are not zero")
    }

    func testExpandingAnyPartChangesNoTasksOutput() throws {
        for part in [Part.shared, .task(0), .task(1)] {
            let model = try makeModel()
            let probes = [batches(task: 0, count: 1, size: 6, seed: 99)[0], batches(task: 1, count: 1, size: 6, seed: 99)[0]]
            let record = try MultiTaskGrowthCheck.expand(model, part: part, granularity: WeightGranularity(), budgetMargin: 20,
                                                         targetParameters: 10, probes: probes) { batches(task: $0) }
            XCTAssertEqual(record.lossBefore, record.lossAfter)
        }
    }

    private func search(seed: UInt64, budget: Int = 700, shared: Double = 0.333) throws -> MultiTaskSearch {
        let model = try MultiTaskTrunk.fullyConnected(hiddenWidths: [24, 12]).makeNetwork(inputShape: [5], classCounts: [3, 4],
                                                    startingCounts: [.shared: 20, .task(0): 30, .task(1): 30], seed: seed)
        let settings = MultiTaskSearch.Settings(epochs: 3, schedule: try ExpansionSchedule(interval: 0.25, frozenFraction: 0.2), seed: seed)
        return try MultiTaskSearch(model: model, budget: budget, sharedFraction: shared,
                                   train: [FixedBatches(batches(task: 0, count: 4)), FixedBatches(batches(task: 1, count: 3))], settings: settings)
    }

    func testNoPartEverExceedsItsShareNorTheNetworkTheBudget() throws {
        let search = try search(seed: 3)
        let shares = search.partBudgets
        XCTAssertLessThanOrEqual(shares.values.reduce(0, +), 700)
        let heads = search.model.heads.map { $0.parameters.reduce(0) { $0 + $1.activeCount } }
        XCTAssertEqual(shares[.shared], Int(0.333 * Double(700 - heads.reduce(0, +))))
        search.onEpoch = { _, _ in
            XCTAssertLessThanOrEqual(search.model.parameterCount, 700)
            for (part, share) in shares { XCTAssertLessThanOrEqual(search.model.ownCount(of: part), share, "\(part)") }
        }
        try search.run()
        XCTAssertFalse(search.expansions.isEmpty)
        for expansion in search.expansions {
            XCTAssertLessThanOrEqual(expansion.record.parametersAfter, shares[expansion.part]!)
            XCTAssertEqual(expansion.record.budget, shares[expansion.part])
        }
        XCTAssertTrue(Set(search.expansions.map(\.part)) == [.shared, .task(0), .task(1)], "every part grows")
        XCTAssertGreaterThan(search.model.parameterCount, 80 + 10 + heads.reduce(0, +))
        XCTAssertEqual(search.model.parameterCount, search.model.ownCount(of: .shared) + search.model.ownCount(of: .task(0))
                       + search.model.ownCount(of: .task(1)))
    }

    func testTheSameSeedGivesTheSameSearch() throws {
        let first = try search(seed: 8), second = try search(seed: 8)
        try first.run()
        try second.run()
        XCTAssertEqual(first.model.allParameters.map(\.value), second.model.allParameters.map(\.value))
        XCTAssertEqual(MultiTaskGrowthCheck.ownership(first.model), MultiTaskGrowthCheck.ownership(second.model))
        XCTAssertEqual(first.expansions.map(\.record.addedParameters), second.expansions.map(\.record.addedParameters))
        let other = try search(seed: 9)
        try other.run()
        XCTAssertNotEqual(MultiTaskGrowthCheck.ownership(first.model), MultiTaskGrowthCheck.ownership(other.model))
    }

    func testStepsPerEpochSetsWhenTheArchitectureGrows() throws {
        let model = try MultiTaskTrunk.fullyConnected(hiddenWidths: [8]).makeNetwork(inputShape: [5], classCounts: [3], startingCounts: [.shared: 10], seed: 1)
        let settings = MultiTaskSearch.Settings(epochs: 1, schedule: try ExpansionSchedule(interval: 0.25, frozenFraction: 0.2), seed: 1,
                                                stepsPerEpoch: 8)
        let search = try MultiTaskSearch(model: model, budget: 200, sharedFraction: 1, train: [FixedBatches(batches(task: 0, count: 2))],
                                         settings: settings)
        try search.run()
        XCTAssertEqual(search.expansions.map(\.record.step), [2, 4, 6], "an expansion every quarter of 8 steps until 80%")
        XCTAssertEqual(search.expansions.map(\.part), [.shared, .shared, .shared], "one task with F = 1: a single-task search")
    }

    func testInvalidSettingsAreRefused() throws {
        let model = try makeModel()
        XCTAssertThrowsError(try MultiTaskSearch.partBudgets(total: 700, sharedFraction: 1.5, model: model))
        XCTAssertThrowsError(try MultiTaskSearch.partBudgets(total: 30, sharedFraction: 0.2, model: model), "the heads alone exceed it")
        XCTAssertThrowsError(try MultiTaskSearch(model: model, budget: 60, sharedFraction: 0.2, train: [FixedBatches(batches(task: 0)), FixedBatches(batches(task: 1))],
                                                 settings: .init(epochs: 1, schedule: try ExpansionSchedule(), seed: 0)),
                             "a part starts above its share")
        XCTAssertThrowsError(try MultiTaskScoringNetwork(model: model, tasks: [2]))
        let objective = MultiTaskObjective(classCounts: [3, 4])
        XCTAssertThrowsError(try objective.lossAndGradient(outputs: Tensor(zeros: [3, 4]), labels: [0, 1, 2]), "3 rows do not split in two")
    }

    /// The multi-task objective over one segment of a single task is softmax cross-entropy; over two, the sum.
    func testTheMultiTaskObjectiveSumsTheTasksCrossEntropies() throws {
        var generator = RandomGenerator(seed: 4)
        let logits = generator.normalTensor(shape: [6, 4])
        let labels = [0, 2, 1, 3, 2, 0]
        let result = try MultiTaskObjective(classCounts: [3, 4]).lossAndGradient(outputs: logits, labels: labels)
        let first = try SoftmaxCrossEntropy.lossAndGradient(
            logits: Tensor(shape: [3, 3], scalars: (0..<3).flatMap { row in (0..<3).map { logits[flat: row * 4 + $0] } }), labels: [0, 2, 1])
        let second = try SoftmaxCrossEntropy.lossAndGradient(
            logits: Tensor(shape: [3, 4], scalars: Array(logits.scalars[12...])), labels: [3, 2, 0])
        XCTAssertEqual(result.loss, first.loss + second.loss, accuracy: 1e-6)
        for row in 0..<3 {
            for k in 0..<3 { XCTAssertEqual(result.outputGradient[flat: row * 4 + k], first.logitsGradient[flat: row * 3 + k]) }
            XCTAssertEqual(result.outputGradient[flat: row * 4 + 3], 0, "the padding column of the 3-class task")
        }
        XCTAssertEqual(Array(result.outputGradient.scalars[12...]), second.logitsGradient.scalars)
    }
}

/// The default objective computes what the hard-coded softmax cross-entropy computed, bit for bit.
final class DefaultObjectiveTests: XCTestCase {
    func testTrainingAndEvaluationWithTheDefaultObjectiveMatchSoftmaxCrossEntropyBitForBit() throws {
        let batches = SearchFixtures.batches(inputShape: [7], classes: 3, count: 3, batchSize: 8, seed: 2)
        let network = try SearchFixtures.perceptron()
        let reference = try SearchFixtures.perceptron()
        let loop = TrainingLoop(model: network, optimizer: try SGD(learningRate: 0.05, momentum: 0.9), schedule: try ConstantSchedule(rate: 0.05))
        let optimizer = try SGD(learningRate: 0.05, momentum: 0.9)
        for batch in batches {
            let step = try loop.step(batch, learningRate: 0.05)
            // The step as it was written before objectives: softmax cross-entropy and the argmax count, inline.
            for parameter in reference.parameters { parameter.zeroGradient() }
            let logits = try reference.forward(batch.inputs, mode: .training)
            let result = try SoftmaxCrossEntropy.lossAndGradient(logits: logits, labels: batch.labels)
            try reference.accumulateParameterGradients(result.logitsGradient)
            try optimizer.step(reference.parameters)
            XCTAssertEqual(step.loss, result.loss)
            XCTAssertEqual(step.correct, try Classification.correctCount(scores: logits, labels: batch.labels))
        }
        XCTAssertEqual(network.parameters.map(\.value), reference.parameters.map(\.value))
        let evaluation = try Evaluation.evaluate(network, on: FixedBatches(batches))
        let explicit = try Evaluation.evaluate(network, on: FixedBatches(batches), objective: SoftmaxCrossEntropyObjective())
        XCTAssertEqual(evaluation.loss, explicit.loss)
        XCTAssertEqual(evaluation.accuracy, explicit.accuracy)
        var lossSum = 0.0, correct = 0
        for batch in batches {
            let logits = try network.forward(batch.inputs, mode: .inference)
            lossSum += Double(try SoftmaxCrossEntropy.lossAndGradient(logits: logits, labels: batch.labels).loss) * Double(batch.labels.count)
            correct += try Classification.correctCount(scores: logits, labels: batch.labels)
        }
        XCTAssertEqual(evaluation.loss, Float(lossSum / 24))
        XCTAssertEqual(evaluation.accuracy, Float(correct) / 24)
    }
}
