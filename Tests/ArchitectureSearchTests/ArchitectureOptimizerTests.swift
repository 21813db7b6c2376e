import ArchitectureSearch
import NeuralNetwork
import TensorCore
import TestSupport
import Training
import XCTest

final class ArchitectureOptimizerTests: XCTestCase {
    /// The score of an absent weight is |∂L/∂(α_i W_i)|, checked against a finite difference of the loss.
    func testUnitScoreIsTheFiniteDifferenceDerivativeOfTheLoss() throws {
        let network = try SearchFixtures.convolutionalNetwork()
        let batches = SearchFixtures.batches(inputShape: [2, 6, 6], classes: 3, count: 2, batchSize: 8, seed: 4)
        network.setCandidateGradients(true)
        for parameter in network.scoredParameters { parameter.zeroGradient() }
        for batch in batches {
            let logits = try network.forward(batch.inputs, mode: .training)
            var gradient = try SoftmaxCrossEntropy.lossAndGradient(logits: logits, labels: batch.labels).logitsGradient
            gradient.withUnsafeMutableBufferPointer { g in for i in 0..<g.count { g[i] /= Float(batches.count) } }
            _ = try network.backward(gradient)
        }
        let table = network.parameterTable()
        let units = Array(WeightGranularity().allUnits(in: network).prefix(25))
        for unit in units {
            let parameter = try XCTUnwrap(table[unit.key])
            let entry = unit.entries[0]
            XCTAssertFalse(parameter.mask.isActive(entry))
            let numeric = try SearchFixtures.absentEntryDerivative(parameter, entry, network: network, batches: batches)
            XCTAssertEqual(Double(parameter.gradient[flat: entry]), numeric, accuracy: 2e-3 + 1e-2 * abs(numeric), "\(unit.key)[\(entry)]")
        }
    }

    private func runSearch(granularity: String, selection: ArchitectureOptimizer.Selection = .gradient, budget: Int,
                           seed: UInt64, epochs: Int = 6, perceptron: Bool = false) throws -> (GrowingNetwork, ExpansionCallback, [EpochReport]) {
        let network = perceptron ? try SearchFixtures.perceptron(seed: seed) : try SearchFixtures.convolutionalNetwork(seed: seed)
        let batches = SearchFixtures.batches(inputShape: network.inputShape, classes: 3, count: 4, batchSize: 16, seed: 21)
        let optimizer = try ArchitectureOptimizer(budget: SearchBudget(parameters: budget), selection: selection, seed: seed)
        let schedule = try ExpansionSchedule(interval: 0.5, frozenFraction: 0.2, scoringBatches: 2)
        let callback = ExpansionCallback(space: network, optimizer: optimizer, granularity: try TopDownGranularity(parsing: granularity),
                                         schedule: schedule, scoringData: FixedBatches(batches))
        let loop = TrainingLoop(model: network, optimizer: try SGD(learningRate: 0.02, momentum: 0.9),
                                schedule: try ConstantSchedule(rate: 0.02), callbacks: [callback])
        loop.maximumGradientNorm = 5
        let history = try loop.fit(train: FixedBatches(batches), test: nil, epochs: epochs)
        return (network, callback, history)
    }

    func testBudgetIsNeverExceededAndGrowthPreservesTheLoss() throws {
        for granularity in ["weight", "kernel", "layer", "layer,kernel,weight"] {
            let start = try SearchFixtures.convolutionalNetwork(seed: 2).parameterCount
            let budget = start + 1_500
            let (network, callback, _) = try runSearch(granularity: granularity, budget: budget, seed: 2)
            XCTAssertFalse(callback.records.isEmpty, granularity)
            for record in callback.records {
                XCTAssertLessThanOrEqual(record.parametersAfter, budget, granularity)
                XCTAssertEqual(record.lossAfter, record.lossBefore, accuracy: 1e-5, "growth changed the loss (\(granularity))")
            }
            XCTAssertLessThanOrEqual(network.parameterCount, budget)
            XCTAssertGreaterThan(network.parameterCount, start, granularity)
        }
    }

    func testSameSeedGivesTheSameArchitectureAndWeights() throws {
        let (first, _, firstHistory) = try runSearch(granularity: "layer,kernel", budget: 2_500, seed: 5)
        let (second, _, secondHistory) = try runSearch(granularity: "layer,kernel", budget: 2_500, seed: 5)
        XCTAssertEqual(ArchitectureDescription(first), ArchitectureDescription(second))
        XCTAssertEqual(first.parameters.map(\.value), second.parameters.map(\.value))
        XCTAssertEqual(firstHistory.map(\.trainLoss), secondHistory.map(\.trainLoss))
    }

    func testEveryGranularityGrowsAndLowersTheLoss() throws {
        for (granularity, perceptron) in [("weight", true), ("kernel", false), ("layer", false), ("weight", false)] {
            let (network, callback, history) = try runSearch(granularity: granularity, budget: 3_000, seed: 1, epochs: 10, perceptron: perceptron)
            let first = try XCTUnwrap(callback.records.first)
            XCTAssertGreaterThan(network.parameterCount, first.parametersBefore, granularity)
            XCTAssertLessThan(try XCTUnwrap(history.last).trainLoss, try XCTUnwrap(history.first).trainLoss, granularity)
        }
    }

    func testRandomGrowthUsesTheSameBudget() throws {
        let budget = try SearchFixtures.convolutionalNetwork(seed: 3).parameterCount + 600
        let (network, callback, _) = try runSearch(granularity: "kernel", selection: .random, budget: budget, seed: 3)
        XCTAssertFalse(callback.records.isEmpty)
        XCTAssertTrue(callback.records.allSatisfy { $0.selection == "random" && $0.candidateUnits == 0 })
        XCTAssertLessThanOrEqual(network.parameterCount, budget)
        XCTAssertGreaterThan(network.parameterCount, budget - 600)
    }

    func testAutomaticArchitectureLearningRateReachesTheBudget() throws {
        let schedule = try ExpansionSchedule(interval: 0.5, frozenFraction: 0.2, decay: .cosine)
        let rate = schedule.automaticInitialRate(start: 1_000, budget: 8_000, totalEpochs: 10)
        let times = schedule.expansionTimes(totalEpochs: 10)
        let end = schedule.searchEnd(totalEpochs: 10)
        let size = times.reduce(1_000.0) { $0 * (1 + schedule.architectureLearningRate(initial: rate, progress: $1 / end)) }
        XCTAssertEqual(size, 8_000, accuracy: 1)
    }

    func testMultiplyAccumulatesOfAHandBuiltNetwork() throws {
        let network = try GrowingNetwork(inputShape: [1, 4, 4], limits: GrowthLimits(placeholderRange: 0...0), seed: 1)
        let conv = try network.appendNode(kind: .convolution(kernelSize: 3), stage: 0, channels: 2)
        try network.connect(from: 0, to: conv)
        let output = try network.appendNode(kind: .linear, stage: -1, channels: 3, isOutput: true)
        try network.connect(from: conv, to: output)
        XCTAssertEqual(network.multiplyAccumulates, 2 * 1 * 9 * 16 + 3 * 2)
        XCTAssertEqual(network.parameterCount, 2 * 9 + 2 + 3 * 2 + 3)
    }

    func testComputeBudgetIsNeverExceeded() throws {
        let network = try SearchFixtures.convolutionalNetwork(seed: 4)
        let limit = network.multiplyAccumulates + network.multiplyAccumulates / 5
        let batches = SearchFixtures.batches(inputShape: network.inputShape, classes: 3, count: 4, batchSize: 16, seed: 8)
        let optimizer = try ArchitectureOptimizer(budget: SearchBudget(parameters: 100_000, multiplyAccumulates: limit), seed: 4)
        for granularity in ["weight", "layer", "kernel"] {
            _ = try optimizer.expand(network, granularity: try TopDownGranularity(parsing: granularity).levels[0], batches: batches,
                                     targetParameters: 2_000, stepSize: 0.05)
            XCTAssertLessThanOrEqual(network.multiplyAccumulates, limit, granularity)
        }
    }

    func testBadSettingsThrow() {
        XCTAssertThrowsError(try ArchitectureOptimizer(budget: SearchBudget(parameters: -5), seed: 0))
        XCTAssertThrowsError(try TopDownGranularity(parsing: "filters"))
        XCTAssertThrowsError(try ExpansionSchedule(interval: 0))
        XCTAssertThrowsError(try ConvolutionalTemplate().fixedNetwork(inputShape: [1, 8, 8], classes: 10, budget: 10, seed: 0))
    }
}
