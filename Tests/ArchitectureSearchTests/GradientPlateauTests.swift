import ArchitectureSearch
import NeuralNetwork
import TensorCore
import Training
import XCTest

final class GradientPlateauTests: XCTestCase {
    func testSteadyNormsArePlateausAndFallingOnesAreNot() throws {
        var plateau = try GradientPlateau(window: 3, tolerance: 0.05)
        // Falling by a tenth per step: the second window's mean is well below the first's.
        XCTAssertEqual((0..<6).map { plateau.record(10 - Double($0)) }, [false, false, false, false, false, false])
        var steady = try GradientPlateau(window: 3, tolerance: 0.05)
        XCTAssertEqual((0..<6).map { _ in steady.record(2) }, [false, false, false, false, false, true])
        XCTAssertFalse(steady.record(2), "a plateau starts the count over")
        XCTAssertThrowsError(try GradientPlateau(window: 1))
    }

    /// The plateau trigger needs every step's gradient norm: the callback asks the loop to measure it.
    func testAPlateauScheduleMakesTheLoopMeasureGradientNorms() throws {
        let network = try SearchFixtures.perceptron()
        let data = FixedBatches(SearchFixtures.batches(inputShape: [7], classes: 3, count: 2, batchSize: 8, seed: 1))
        let callback = ExpansionCallback(space: network, optimizer: try ArchitectureOptimizer(budget: SearchBudget(parameters: 1_000), seed: 1),
                                         granularity: try TopDownGranularity(parsing: "weight"),
                                         schedule: try ExpansionSchedule(interval: 1, plateau: try GradientPlateau()),
                                         scoringData: data)
        let loop = TrainingLoop(model: network, optimizer: try SGD(learningRate: 0.01), schedule: try ConstantSchedule(rate: 0.01),
                                callbacks: [callback])
        XCTAssertFalse(loop.measuresGradientNorm)
        _ = try loop.fit(train: data, test: nil, epochs: 1)
        XCTAssertTrue(loop.measuresGradientNorm)
    }
}
