import Foundation
import NeuralNetwork
import XCTest

final class LearningRateScheduleTests: XCTestCase {
    private func assertRates(_ schedule: LearningRateSchedule, _ expected: [(progress: Double, rate: Double)],
                             file: StaticString = #filePath, line: UInt = #line) {
        for (progress, rate) in expected {
            XCTAssertEqual(Double(schedule.learningRate(at: progress)), rate, accuracy: 1e-7 * max(1, rate),
                           "at \(progress)", file: file, line: line)
        }
    }

    /// Asserts that `make` throws an invalid-hyper-parameter error of `owner` mentioning `name`.
    private func assertInvalid(_ owner: String, _ name: String, _ make: () throws -> LearningRateSchedule,
                               file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try make(), "\(owner) \(name)", file: file, line: line) { error in
            guard case let .invalidHyperparameter(actualOwner, reason)? = error as? OptimizerError else {
                return XCTFail("\(error)", file: file, line: line)
            }
            XCTAssertEqual(actualOwner, owner, file: file, line: line)
            XCTAssertTrue(reason.contains(name), reason, file: file, line: line)
        }
    }

    func testConstant() throws {
        assertRates(try ConstantSchedule(rate: 0.05), [(0, 0.05), (17.5, 0.05), (1e6, 0.05)])
    }

    func testStepDecayAtItsBoundaries() throws {
        let schedule = try StepDecaySchedule(initialRate: 0.1, period: 30, gamma: 0.1)
        assertRates(schedule, [(-1, 0.1), (0, 0.1), (29.999, 0.1), (30, 0.01), (59.5, 0.01), (60, 0.001), (95, 1e-4)])
        // A fractional period, with progress that counts epochs and the fraction of the current one.
        assertRates(try StepDecaySchedule(initialRate: 1, period: 0.25, gamma: 0.5), [(0.2499, 1), (0.25, 0.5), (0.75, 0.125)])
    }

    func testMultiStepAtItsMilestones() throws {
        let schedule = try MultiStepSchedule(initialRate: 0.1, milestones: [80, 30], gamma: 0.1)
        XCTAssertEqual(schedule.milestones, [30, 80])
        assertRates(schedule, [(0, 0.1), (29.9, 0.1), (30, 0.01), (79.99, 0.01), (80, 0.001), (500, 0.001)])
        let startsDecayed = try MultiStepSchedule(initialRate: 1, milestones: [0, 2, 2], gamma: 0.5)
        assertRates(startsDecayed, [(-3, 0.5), (0, 0.5), (1.9, 0.5), (2, 0.125)])
    }

    func testCosineAnnealingAtStartQuarterHalfAndEnd() throws {
        // The reference recipe: 0.05, cosine to 0, evaluated per step with fractional epochs.
        let toZero = try CosineAnnealingSchedule(initialRate: 0.05, length: 100)
        assertRates(toZero, [(-5, 0.05), (0, 0.05), (25, 0.05 * (1 + cos(Double.pi / 4)) / 2), (50, 0.025),
                             (100, 0), (150, 0)])
        XCTAssertEqual(toZero.learningRate(at: 25), 0.0426776695, accuracy: 1e-9)
        let toMinimum = try CosineAnnealingSchedule(initialRate: 0.1, finalRate: 0.01, length: 2)
        assertRates(toMinimum, [(0, 0.1), (1, 0.055), (2, 0.01), (3, 0.01)])
        // Rising from 0 is allowed, as with PyTorch's eta_min above the base rate.
        assertRates(try CosineAnnealingSchedule(initialRate: 0, finalRate: 0.2, length: 4), [(0, 0), (2, 0.1), (4, 0.2)])
    }

    func testLinearWarmupRampsThenRunsTheBaseScheduleFromItsStart() throws {
        let cosine = try CosineAnnealingSchedule(initialRate: 0.1, length: 10)
        let schedule = try LinearWarmupSchedule(length: 5, base: cosine)
        assertRates(schedule, [(-1, 0), (0, 0), (1, 0.02), (2.5, 0.05), (4.999, 0.09998), (5, 0.1), (10, 0.05), (15, 0), (20, 0)])
        let fromAFifth = try cosine.withLinearWarmup(length: 2, startFactor: 0.2)
        assertRates(fromAFifth, [(0, 0.02), (1, 0.06), (2, 0.1), (7, 0.05)])
        let steps = try StepDecaySchedule(initialRate: 0.4, period: 3, gamma: 0.5).withLinearWarmup(length: 1)
        assertRates(steps, [(0.5, 0.2), (1, 0.4), (3.9, 0.4), (4, 0.2)])
        let none = try ConstantSchedule(rate: 0.3).withLinearWarmup(length: 0)
        assertRates(none, [(-1, 0.3), (0, 0.3), (2, 0.3)])
    }

    func testInvalidHyperparametersThrowWithTheirName() {
        assertInvalid("ConstantSchedule", "rate") { try ConstantSchedule(rate: -0.1) }
        assertInvalid("StepDecaySchedule", "initial rate") { try StepDecaySchedule(initialRate: .nan, period: 1, gamma: 0.1) }
        assertInvalid("StepDecaySchedule", "period") { try StepDecaySchedule(initialRate: 0.1, period: 0, gamma: 0.1) }
        assertInvalid("StepDecaySchedule", "gamma") { try StepDecaySchedule(initialRate: 0.1, period: 1, gamma: -0.5) }
        assertInvalid("MultiStepSchedule", "milestone") { try MultiStepSchedule(initialRate: 0.1, milestones: [3, -1], gamma: 0.1) }
        assertInvalid("MultiStepSchedule", "milestone") { try MultiStepSchedule(initialRate: 0.1, milestones: [.infinity], gamma: 0.1) }
        assertInvalid("CosineAnnealingSchedule", "final rate") { try CosineAnnealingSchedule(initialRate: 0.1, finalRate: -1, length: 1) }
        assertInvalid("CosineAnnealingSchedule", "length") { try CosineAnnealingSchedule(initialRate: 0.1, length: -3) }
        assertInvalid("LinearWarmupSchedule", "length") { try ConstantSchedule(rate: 0.1).withLinearWarmup(length: -1) }
        assertInvalid("LinearWarmupSchedule", "start factor") {
            try LinearWarmupSchedule(length: 1, startFactor: 1.5, base: ConstantSchedule(rate: 0.1))
        }
    }
}
