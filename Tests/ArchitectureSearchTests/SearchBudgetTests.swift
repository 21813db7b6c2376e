import ArchitectureSearch
import NeuralNetwork
import Training
import XCTest

/// The budget owned by the optimizer, and granularities chosen by name.
final class SearchBudgetTests: XCTestCase {
    func testTheBudgetChecksTheStartingNetwork() throws {
        let network = try SearchFixtures.convolutionalNetwork()
        XCTAssertNoThrow(try SearchBudget(parameters: network.parameterCount).validate(start: network))
        XCTAssertThrowsError(try SearchBudget(parameters: network.parameterCount - 1).validate(start: network)) { error in
            XCTAssertEqual(error as? SearchError, .budgetTooSmall(budget: network.parameterCount - 1, startingParameters: network.parameterCount))
        }
        XCTAssertThrowsError(try SearchBudget(parameters: 10_000_000, multiplyAccumulates: network.multiplyAccumulates - 1).validate(start: network))
        XCTAssertThrowsError(try SearchBudget(parameters: 0))
        XCTAssertThrowsError(try SearchBudget(parameters: 10, multiplyAccumulates: 0))
    }

    /// A search run from the library (no command line) refuses a starting network over the budget.
    func testTheExpansionCallbackValidatesTheBudgetWhenTrainingStarts() throws {
        let network = try SearchFixtures.perceptron()
        let data = FixedBatches(SearchFixtures.batches(inputShape: [7], classes: 3, count: 1, batchSize: 4, seed: 1))
        let callback = ExpansionCallback(space: network, optimizer: try ArchitectureOptimizer(budget: SearchBudget(parameters: 5), seed: 1),
                                         granularity: TopDownGranularity([WeightGranularity()]),
                                         schedule: try ExpansionSchedule(), scoringData: data)
        let loop = TrainingLoop(model: network, optimizer: try SGD(learningRate: 0.01), schedule: try ConstantSchedule(rate: 0.01),
                                callbacks: [callback])
        XCTAssertThrowsError(try loop.fit(train: data, test: nil, epochs: 1))
        XCTAssertEqual(loop.globalStep, 0)
    }

    func testAdmissionRespectsBothLimits() throws {
        let network = try SearchFixtures.convolutionalNetwork()
        let unit = try XCTUnwrap(KernelGranularity().allUnits(in: network).first)
        let cost = network.cost(of: unit)
        XCTAssertTrue(try SearchBudget(parameters: network.parameterCount + cost).admits(unit, cost: cost, in: network))
        XCTAssertFalse(try SearchBudget(parameters: network.parameterCount + cost - 1).admits(unit, cost: cost, in: network))
        XCTAssertFalse(try SearchBudget(parameters: 10_000_000).admits(unit, cost: 0, in: network), "cost 0: cannot be added")
        let computing = try XCTUnwrap(KernelGranularity().allUnits(in: network).first { network.multiplyAccumulatesAdded(by: $0) > 0 })
        let computingCost = network.cost(of: computing)
        let projected = network.multiplyAccumulates + network.multiplyAccumulatesAdded(by: computing)
        XCTAssertFalse(try SearchBudget(parameters: 10_000_000, multiplyAccumulates: projected - 1).admits(computing, cost: computingCost, in: network))
        XCTAssertTrue(try SearchBudget(parameters: 10_000_000, multiplyAccumulates: projected).admits(computing, cost: computingCost, in: network))
    }

    /// Under a compute limit a unit weighs its parameters plus its added compute at the ratio of the limits; a unit
    /// that adds no compute (a kernel inside a connection that is computed already) weighs its parameters only.
    func testAUnitsWeightCountsTheComputeItAdds() throws {
        let network = try SearchFixtures.convolutionalNetwork()
        let units = KernelGranularity().allUnits(in: network)
        let promoting = try XCTUnwrap(units.first { network.multiplyAccumulatesAdded(by: $0) > 0 })
        let inside = try XCTUnwrap(units.first { network.cost(of: $0) > 0 && network.multiplyAccumulatesAdded(by: $0) == 0 })
        let budget = try SearchBudget(parameters: 10_000, multiplyAccumulates: 200_000)
        let cost = network.cost(of: promoting)
        let added = network.multiplyAccumulatesAdded(by: promoting)
        XCTAssertEqual(budget.weight(of: promoting, cost: cost, in: network),
                       Double(cost) + Double(added) * 10_000 / 200_000, accuracy: 1e-9)
        XCTAssertEqual(budget.weight(of: inside, cost: network.cost(of: inside), in: network),
                       Double(network.cost(of: inside)))
        XCTAssertEqual(try SearchBudget(parameters: 10_000).weight(of: promoting, cost: cost, in: network),
                       Double(cost), "without a compute limit the weight is the cost")
    }

    /// The cost and the added compute that a growing network declares for each unit (counted without adding it)
    /// are what adding it really changes, for units that promote placeholders, connections and layers alike.
    func testDeclaredCostsAreWhatAddingReallyChanges() throws {
        let network = try SearchFixtures.convolutionalNetwork(seed: 3)
        var promoting = 0
        for granularity in [KernelGranularity(), WeightGranularity(), LayerGranularity()] as [any SearchGranularity] {
            network.setCandidateGradients(granularity.searchesStructure)
            for unit in granularity.allUnits(in: network) {
                let cost = network.cost(of: unit), added = network.multiplyAccumulatesAdded(by: unit)
                guard cost > 0 else { continue }
                if added > 0, case .entries = unit.kind { promoting += 1 }
                let restore = network.snapshot()
                let parameters = network.parameterCount, compute = network.multiplyAccumulates
                try network.add(unit)
                network.finishAdding()
                XCTAssertEqual(network.parameterCount - parameters, cost, "\(granularity.name) \(unit.label) \(unit.entries)")
                XCTAssertEqual(network.multiplyAccumulates - compute, added, "\(granularity.name) \(unit.label) \(unit.entries)")
                restore()
            }
            network.setCandidateGradients(false)
        }
        XCTAssertGreaterThan(promoting, 0, "some units promote a placeholder")
        for node in network.nodes {
            for channel in node.placeholderChannels {
                XCTAssertEqual(network.promotionCost(node: node.id, channel: channel),
                               network.promotionEntries(node: node.id, channel: channel).count)
            }
        }
    }

    func testGranularitiesResolveThroughARegistry() throws {
        struct EveryOther: SearchGranularity {
            let name = "every-other"
            func units(in region: SearchRegion) -> [SearchUnit] {
                region.candidates.enumerated().filter { $0.offset % 2 == 0 }
                    .map { SearchUnit(key: region.key, entries: [$0.element], label: region.label) }
            }
        }
        XCTAssertThrowsError(try TopDownGranularity(parsing: "every-other")) { error in
            XCTAssertTrue("\(error)".contains("weight, kernel, layer"), "\(error)")
        }
        var registry = GranularityRegistry.standard
        registry.register("every-other") { EveryOther() }
        let levels = try TopDownGranularity(parsing: "Layer, every-other,weights", registry: registry)
        XCTAssertEqual(levels.levels.map(\.name), ["layer", "every-other", "weight"])
        XCTAssertEqual(registry.names, ["weight", "kernel", "layer", "every-other"])
    }
}
