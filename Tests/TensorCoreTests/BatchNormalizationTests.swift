import TensorCore
import TestSupport
import XCTest

final class BatchNormalizationTests: XCTestCase {
    func testRunningStatisticsAfterTwoStepsUseUnbiasedVariance() throws {
        // One feature, batches [1, 2, 3, 4] then [2, 4, 6, 8]:
        // step 1: mean 2.5, unbiased variance 5/3 -> running mean 0.25, variance 0.9 + 0.1 · 5/3
        // step 2: mean 5, unbiased variance 20/3 -> running mean 0.725, variance 0.9 · 1.0666… + 0.1 · 20/3
        var mean = Tensor(zeros: [1]), variance = Tensor(repeating: 1, shape: [1])
        let gamma = Tensor(repeating: 1, shape: [1]), beta = Tensor(zeros: [1])
        let first = try BatchNormalization.forwardTraining(input: Tensor(shape: [4, 1], scalars: [1, 2, 3, 4]), scale: gamma, shift: beta,
                                                           runningMean: &mean, runningVariance: &variance)
        XCTAssertEqual(mean[0], 0.25, accuracy: 1e-6)
        XCTAssertEqual(variance[0], 0.9 + 0.1 * 5 / 3, accuracy: 1e-6)
        // The output uses the biased variance 1.25.
        for (value, x) in zip(first.output.scalars, [1.0, 2, 3, 4]) {
            XCTAssertEqual(Double(value), (x - 2.5) / (1.25 + 1e-5).squareRoot(), accuracy: 1e-5)
        }
        _ = try BatchNormalization.forwardTraining(input: Tensor(shape: [4, 1], scalars: [2, 4, 6, 8]), scale: gamma, shift: beta,
                                                   runningMean: &mean, runningVariance: &variance)
        XCTAssertEqual(mean[0], 0.725, accuracy: 1e-6)
        XCTAssertEqual(variance[0], 0.9 * (0.9 + 0.1 * 5 / 3) + 0.1 * 20 / 3, accuracy: 1e-5)
    }

    func testTrainingOutputMatchesDoubleReferenceForImages() throws {
        var rng = RandomGenerator(seed: 31)
        let x = rng.normalTensor(shape: [4, 3, 5, 6], mean: 2, standardDeviation: 3)
        let gamma = rng.normalTensor(shape: [3]), beta = rng.normalTensor(shape: [3])
        var mean = Tensor(zeros: [3]), variance = Tensor(repeating: 1, shape: [3])
        let result = try BatchNormalization.forwardTraining(input: x, scale: gamma, shift: beta, runningMean: &mean, runningVariance: &variance)
        for c in 0..<3 {
            var values = [Double]()
            for n in 0..<4 { for h in 0..<5 { for w in 0..<6 { values.append(Double(x[n, c, h, w])) } } }
            let m = values.reduce(0, +) / Double(values.count)
            let v = values.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(values.count)
            for n in 0..<4 {
                for h in 0..<5 {
                    for w in 0..<6 {
                        let expected = Double(gamma[c]) * (Double(x[n, c, h, w]) - m) / (v + 1e-5).squareRoot() + Double(beta[c])
                        XCTAssertEqual(Double(result.output[n, c, h, w]), expected, accuracy: 1e-4)
                    }
                }
            }
            XCTAssertEqual(Double(mean[c]), 0.1 * m, accuracy: 1e-5)
            XCTAssertEqual(Double(variance[c]), 0.9 + 0.1 * v * 120 / 119, accuracy: 1e-4)
        }
    }

    func testInferenceUsesRunningStatistics() throws {
        let x = Tensor(shape: [2, 2, 1, 2], scalars: [1, 2, 3, 4, 5, 6, 7, 8])
        let gamma = Tensor(shape: [2], scalars: [2, 0.5]), beta = Tensor(shape: [2], scalars: [1, -1])
        let mean = Tensor(shape: [2], scalars: [1, 4]), variance = Tensor(shape: [2], scalars: [4, 0.25])
        let y = try BatchNormalization.forwardInference(input: x, scale: gamma, shift: beta, runningMean: mean, runningVariance: variance)
        for n in 0..<2 {
            for c in 0..<2 {
                for w in 0..<2 {
                    let expected = Double(gamma[c]) * Double(x[n, c, 0, w] - mean[c]) / (Double(variance[c]) + 1e-5).squareRoot() + Double(beta[c])
                    XCTAssertEqual(Double(y[n, c, 0, w]), expected, accuracy: 1e-5)
                }
            }
        }
    }

    func testBackwardMatchesFiniteDifferences() throws {
        var rng = RandomGenerator(seed: 32)
        for shape in [[3, 2, 3, 2], [5, 4], [2, 3, 1, 4], [8, 2, 4, 4]] {
            let channels = shape[1]
            let x = rng.normalTensor(shape: shape, mean: 0.5, standardDeviation: 2)
            let gamma = rng.normalTensor(shape: [channels]), beta = rng.normalTensor(shape: [channels])
            let r = rng.normalTensor(shape: shape)
            func loss(_ x: Tensor, _ gamma: Tensor, _ beta: Tensor) throws -> Double {
                var mean = Tensor(zeros: [channels]), variance = Tensor(zeros: [channels])
                let output = try BatchNormalization.forwardTraining(input: x, scale: gamma, shift: beta,
                                                                    runningMean: &mean, runningVariance: &variance).output
                return GradientCheck.projection(output, r)
            }
            var mean = Tensor(zeros: [channels]), variance = Tensor(zeros: [channels])
            let result = try BatchNormalization.forwardTraining(input: x, scale: gamma, shift: beta, runningMean: &mean, runningVariance: &variance)
            // Gradients accumulate onto what is already there.
            var dGamma = Tensor(repeating: 1, shape: [channels]), dBeta = Tensor(repeating: -1, shape: [channels])
            let dx = try BatchNormalization.backward(outputGradient: r, cache: result.cache, scale: gamma,
                                                     scaleGradient: &dGamma, shiftGradient: &dBeta)
            let ndx = try GradientCheck.numericGradient(of: x) { try loss($0, gamma, beta) }
            let ndGamma = try GradientCheck.numericGradient(of: gamma) { try loss(x, $0, beta) }
            let ndBeta = try GradientCheck.numericGradient(of: beta) { try loss(x, gamma, $0) }
            XCTAssertLessThan(GradientCheck.maxError(dx, ndx), 3e-3, "input \(shape)")
            XCTAssertLessThan(GradientCheck.maxError(dGamma, Tensor(shape: [channels], scalars: ndGamma.scalars.map { $0 + 1 })), 3e-3, "scale \(shape)")
            XCTAssertLessThan(GradientCheck.maxError(dBeta, Tensor(shape: [channels], scalars: ndBeta.scalars.map { $0 - 1 })), 3e-3, "shift \(shape)")
        }
    }

    func testRejectsBadShapesAndSingleValueChannels() {
        var mean = Tensor(zeros: [3]), variance = Tensor(zeros: [3])
        let gamma = Tensor(zeros: [3]), beta = Tensor(zeros: [3])
        XCTAssertThrowsError(try BatchNormalization.forwardTraining(input: Tensor(zeros: [2, 4, 2, 2]), scale: gamma, shift: beta,
                                                                    runningMean: &mean, runningVariance: &variance)) {
            XCTAssertEqual($0 as? TensorError, .shapeMismatch(operation: "batch norm scale", expected: [4], actual: [3]))
        }
        XCTAssertThrowsError(try BatchNormalization.forwardTraining(input: Tensor(zeros: [1, 3]), scale: gamma, shift: beta,
                                                                    runningMean: &mean, runningVariance: &variance))
        XCTAssertThrowsError(try BatchNormalization.forwardTraining(input: Tensor(zeros: [6]), scale: gamma, shift: beta,
                                                                    runningMean: &mean, runningVariance: &variance))
        XCTAssertThrowsError(try BatchNormalization.forwardTraining(input: Tensor(zeros: [2, 3]), scale: gamma, shift: beta,
                                                                    runningMean: &mean, runningVariance: &variance, momentum: 2))
        XCTAssertThrowsError(try BatchNormalization.forwardInference(input: Tensor(zeros: [2, 3]), scale: gamma, shift: beta,
                                                                     runningMean: Tensor(zeros: [2]), runningVariance: variance))
        var noMean = Tensor(zeros: [0]), noVariance = Tensor(zeros: [0])
        XCTAssertThrowsError(try BatchNormalization.forwardTraining(input: Tensor(zeros: [4, 0, 2, 2]), scale: Tensor(zeros: [0]),
                                                                    shift: Tensor(zeros: [0]), runningMean: &noMean, runningVariance: &noVariance))
    }
}
