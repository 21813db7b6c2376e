import ArchitectureSearch
import NeuralNetwork
import TensorCore
import Training
import XCTest

/// Multi-task search on a convolutional trunk (``MultiTaskTrunk/convolutional(channels:kernelSize:)``): the kernels a
/// part may add are scored by the gradient of the losses it serves (checked against finite differences, on a fresh
/// and on a trained network), growth by kernels changes no task's output, no part exceeds its share, and the same seed
/// gives the same search.
final class MultiTaskConvolutionalTests: XCTestCase {
    private typealias Part = MultiTaskNetwork.Part
    private static let inputShape = [2, 6, 6]

    /// Two tasks (3 and 4 classes) on 2x6x6 images through convolutions of 3 and 4 channels with a 2x2 max-pool
    /// between them; each part starts with whole 3x3 kernels.
    private func makeModel(seed: UInt64 = 5, starts: [Part: Int] = [.shared: 27, .task(0): 18, .task(1): 18]) throws -> MultiTaskNetwork {
        try MultiTaskTrunk.convolutional(channels: [3, 4], kernelSize: 3)
            .makeNetwork(inputShape: Self.inputShape, classCounts: [3, 4], startingCounts: starts, seed: seed)
    }

    private func batches(task: Int, count: Int = 2, size: Int = 8, seed: UInt64 = 3) -> [LabeledBatch] {
        SearchFixtures.batches(inputShape: Self.inputShape, classes: task == 0 ? 3 : 4, count: count, batchSize: size,
                               seed: seed &+ UInt64(task) &* 101)
    }

    func testTheTrunkIsConvolutionsWithReductionsAndEachPartStartsWithWholeKernels() throws {
        let model = try makeModel()
        let layers = try XCTUnwrap(model.trunk as? Sequential).layers
        XCTAssertEqual(layers.map { String(describing: type(of: $0)) }, ["Conv2d", "ReLU", "MaxPool2d", "Conv2d", "ReLU", "GlobalAvgPool"])
        XCTAssertEqual(try model.trunk.outputShape(forInput: [1] + Self.inputShape), [1, 4])
        XCTAssertEqual(model.ownCount(of: .shared), 27 + 3 + 4, "three kernels and every bias")
        XCTAssertEqual(model.ownCount(of: .task(0)), 18 + 4 * 3 + 3, "two kernels and the head")
        for (index, parameter) in model.trunkParameters.enumerated() where parameter.shape.count == 4 {
            for kernel in 0..<(parameter.count / 9) {
                let owners = Set((0..<9).map { model.owner(ofEntry: kernel * 9 + $0, inTrunkParameter: index) })
                XCTAssertEqual(owners.count, 1, "kernel \(kernel) of \(parameter.name) has one owner")
            }
        }
        XCTAssertThrowsError(try MultiTaskTrunk.convolutional(channels: [3, 4, 4, 4], kernelSize: 3)
            .makeNetwork(inputShape: [1, 4, 4], classCounts: [2, 2], startingCounts: [:], seed: 0), "4x4 cannot be halved three times")
        XCTAssertThrowsError(try MultiTaskTrunk.convolutional(channels: [3], kernelSize: 2)
            .makeNetwork(inputShape: [1, 4, 4], classCounts: [2, 2], startingCounts: [:], seed: 0), "even kernel")
        XCTAssertThrowsError(try MultiTaskTrunk.convolutional(channels: [3], kernelSize: 3)
            .makeNetwork(inputShape: [16], classCounts: [2, 2], startingCounts: [:], seed: 0), "not an image")
        XCTAssertThrowsError(try MultiTaskTrunk.convolutional(channels: [3], kernelSize: 3)
            .makeNetwork(inputShape: [1, 4, 4], classCounts: [2, 2], startingCounts: [.shared: 9 * 4], seed: 0), "more than the trunk")
    }

    /// A few multi-task SGD steps on every task, so that scores are checked away from the initial weights too.
    private func train(_ model: MultiTaskNetwork, steps: Int) throws {
        let optimizer = try SGD(learningRate: 0.05, momentum: 0.9, nesterov: true, weightDecay: 5e-4)
        let data = [batches(task: 0, count: 3, seed: 17), batches(task: 1, count: 3, seed: 17)]
        for step in 0..<steps {
            try model.accumulateTrainingGradients([data[0][step % 3], data[1][step % 3]])
            try optimizer.step(model.allParameters)
        }
    }

    /// The gradient a part's scoring pass leaves at every trunk entry.
    private func scoringGradients(_ model: MultiTaskNetwork, part: Part, batches taskBatches: [LabeledBatch]) throws -> [Tensor] {
        let space = try MultiTaskPartSpace(model: model, part: part)
        let batch: LabeledBatch
        switch part {
        case .shared: batch = try MultiTaskScoringNetwork.combined(taskBatches)
        case let .task(task): batch = taskBatches[task]
        }
        for parameter in space.scoredParameters { parameter.zeroGradient() }
        let outputs = try space.network.forward(batch.inputs, mode: .training)
        _ = try space.network.backward(try space.objective.lossAndGradient(outputs: outputs, labels: batch.labels).outputGradient)
        return model.trunkParameters.map(\.gradient)
    }

    /// Gives the shared part a kernel into every output channel of the first convolution that has none, so that no
    /// channel before the max-pool is constant: the max of a constant window is not differentiable (its tied entries
    /// make one-sided differences differ), so finite differences can only check the scores where the pool is.
    private func coverEveryFirstChannel(_ model: MultiTaskNetwork) throws {
        let weight = model.trunkParameters[0]
        let perChannel = weight.shape[1] * 9
        var generator = RandomGenerator(seed: 23)
        for channel in 0..<weight.shape[0] {
            let entries = (channel * perChannel)..<((channel + 1) * perChannel)
            guard entries.allSatisfy({ model.owner(ofEntry: $0, inTrunkParameter: 0) == nil }) else { continue }
            for entry in entries.prefix(9) { try model.assign(entry: entry, inTrunkParameter: 0, to: .shared, value: generator.normal() * 0.3) }
        }
    }

    /// For every unowned kernel: each entry's score is the central difference of the losses the part serves (Σ_t L_t in
    /// the task views for the shared part, L_t for task t's part) when that entry is added to the part, and the kernel's
    /// gradient norm (the unit's score times √9) is the derivative of those losses along the kernel's gradient direction
    /// when the whole kernel is added.
    private func checkKernelScores(_ model: MultiTaskNetwork, file: StaticString = #filePath, line: UInt = #line) throws {
        try coverEveryFirstChannel(model)
        let taskBatches = [batches(task: 0, count: 1, size: 10, seed: 41)[0], batches(task: 1, count: 1, size: 10, seed: 41)[0]]
        func loss(_ tasks: [Int]) throws -> Double {
            try tasks.reduce(0) { total, task in
                try model.installView(task: task)
                defer { model.installUnion() }
                return total + (try SearchFixtures.loss(model.taskNetworks[task], [taskBatches[task]]))
            }
        }
        /// Central difference of the part's losses along `direction` over `entries`, the entries added to `part`.
        func derivative(_ index: Int, _ entries: [Int], direction: [Float], part: Part, tasks: [Int]) throws -> Double {
            let h: Float = 2e-3
            var values: [Double] = []
            for sign in [Float(1), -1] {
                let restore = model.snapshot()
                for (entry, d) in zip(entries, direction) {
                    try model.assign(entry: entry, inTrunkParameter: index, to: part, value: sign * h * d)
                }
                values.append(try loss(tasks))
                restore()
            }
            return (values[0] - values[1]) / (2 * Double(h))
        }
        var kernelsChecked = 0
        for (part, tasks) in [(Part.shared, [0, 1]), (.task(1), [1])] {
            let gradients = try scoringGradients(model, part: part, batches: taskBatches)
            let space = try MultiTaskPartSpace(model: model, part: part)
            let units = space.searchRegions().flatMap { KernelGranularity().units(in: $0) }
            for unit in units.prefix(8) {
                guard let index = Int(unit.key.dropFirst("trunk.".count)) else { return XCTFail("unit key \(unit.key)", file: file, line: line) }
                XCTAssertEqual(unit.entries.count, 9, "a whole kernel", file: file, line: line)
                let g = unit.entries.map { gradients[index][flat: $0] }
                for (entry, value) in zip(unit.entries, g).prefix(3) {
                    let expected = try derivative(index, [entry], direction: [1], part: part, tasks: tasks)
                    XCTAssertEqual(Double(value), expected, accuracy: 2e-3 + 2e-2 * abs(expected),
                                   "\(part) score of trunk.\(index)[\(entry)]", file: file, line: line)
                }
                let norm = g.reduce(Float(0)) { $0 + $1 * $1 }.squareRoot()
                guard norm > 1e-4 else { continue }
                let along = try derivative(index, unit.entries, direction: g.map { $0 / norm }, part: part, tasks: tasks)
                XCTAssertEqual(Double(norm), along, accuracy: 2e-3 + 2e-2 * along, "\(part) kernel \(unit.entries[0] / 9) of trunk.\(index)",
                               file: file, line: line)
                XCTAssertEqual(ArchitectureOptimizer.score(g, cost: 9) * 3, norm, accuracy: 1e-5 * norm, file: file, line: line)
                kernelsChecked += 1
            }
        }
        XCTAssertGreaterThan(kernelsChecked, 6, "kernels with a non-zero score were checked", file: file, line: line)
    }

    func testAbsentKernelScoresMatchFiniteDifferencesOfTheSummedTaskLosses() throws {
        try checkKernelScores(try makeModel())
    }

    func testAbsentKernelScoresMatchFiniteDifferencesOnATrainedNetwork() throws {
        let model = try makeModel()
        let before = model.trunkParameters.map(\.value)
        try train(model, steps: 12)
        XCTAssertNotEqual(model.trunkParameters.map(\.value), before, "training moved the weights")
        try checkKernelScores(model)
    }

    func testGrowingAnyPartByKernelsChangesNoTasksOutput() throws {
        for part in [Part.shared, .task(0), .task(1)] {
            let model = try makeModel()
            try train(model, steps: 6)
            let probes = [batches(task: 0, count: 1, size: 6, seed: 99)[0], batches(task: 1, count: 1, size: 6, seed: 99)[0]]
            let record = try MultiTaskGrowthCheck.expand(model, part: part, granularity: KernelGranularity(), budgetMargin: 40,
                                                         targetParameters: 27, probes: probes) { batches(task: $0) }
            XCTAssertEqual(record.addedParameters % 9, 0, "\(part) grew by whole kernels")
        }
    }

    private func search(seed: UInt64, granularity: any SearchGranularity) throws -> MultiTaskSearch {
        let model = try makeModel(seed: seed, starts: [.shared: 27, .task(0): 27, .task(1): 27])
        let settings = MultiTaskSearch.Settings(epochs: 3, schedule: try ExpansionSchedule(interval: 0.25, frozenFraction: 0.2),
                                                granularity: granularity, seed: seed)
        return try MultiTaskSearch(model: model, budget: 600, sharedFraction: 0.2,
                                   train: [FixedBatches(batches(task: 0, count: 4)), FixedBatches(batches(task: 1, count: 3))],
                                   settings: settings)
    }

    func testNoPartEverExceedsItsShareAtEitherGranularity() throws {
        for granularity in [KernelGranularity(), WeightGranularity()] as [any SearchGranularity] {
            let search = try search(seed: 2, granularity: granularity)
            let shares = search.partBudgets
            XCTAssertLessThanOrEqual(shares.values.reduce(0, +), 600)
            search.onEpoch = { _, _ in
                XCTAssertLessThanOrEqual(search.model.parameterCount, 600)
                for (part, share) in shares { XCTAssertLessThanOrEqual(search.model.ownCount(of: part), share, "\(part)") }
            }
            try search.run()
            XCTAssertTrue(Set(search.expansions.map(\.part)) == [.shared, .task(0), .task(1)], "every part grows (\(granularity.name))")
            for expansion in search.expansions {
                XCTAssertLessThanOrEqual(expansion.record.parametersAfter, shares[expansion.part]!)
                if granularity is KernelGranularity { XCTAssertEqual(expansion.record.addedParameters % 9, 0) }
            }
            XCTAssertEqual(search.model.parameterCount, search.model.ownCount(of: .shared) + search.model.ownCount(of: .task(0))
                           + search.model.ownCount(of: .task(1)))
        }
    }

    func testTheSameSeedGivesTheSameSearch() throws {
        let first = try search(seed: 6, granularity: KernelGranularity()), second = try search(seed: 6, granularity: KernelGranularity())
        try first.run()
        try second.run()
        XCTAssertEqual(first.model.allParameters.map(\.value), second.model.allParameters.map(\.value))
        XCTAssertEqual(MultiTaskGrowthCheck.ownership(first.model), MultiTaskGrowthCheck.ownership(second.model))
        XCTAssertEqual(first.expansions.map(\.record.addedParameters), second.expansions.map(\.record.addedParameters))
        let other = try search(seed: 7, granularity: KernelGranularity())
        try other.run()
        XCTAssertNotEqual(MultiTaskGrowthCheck.ownership(first.model), MultiTaskGrowthCheck.ownership(other.model))
    }
}
