import Foundation

/// Which clock the measurements read: the monotonic (wall) clock, or with `--cpu-clock` the process's CPU time.
nonisolated(unsafe) var measurementClock = CLOCK_MONOTONIC

/// Seconds on ``measurementClock``.
func monotonicSeconds() -> Double {
    var time = timespec()
    clock_gettime(measurementClock, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
}

/// Keeps a value from every timed run observable, so the optimiser cannot drop the work that produced it.
///
/// The benchmarks only run on the main thread, so the unsynchronised accumulator is never raced.
enum Sink {
    nonisolated(unsafe) private static var accumulator: Float = 0

    /// Folds `value` into the accumulator.
    @inline(never)
    static func consume(_ value: Float) {
        accumulator += value
    }

    /// Everything consumed so far; printed at the end of the run.
    static var value: Float { accumulator }
}

/// How often a benchmark body runs: untimed warm-up runs, then timed runs until at least
/// `minimumRuns` are done and `budgetSeconds` of timed work has passed, at most `maximumRuns`.
struct RunPolicy: Sendable {
    var warmupRuns: Int
    var minimumRuns: Int
    var maximumRuns: Int
    var budgetSeconds: Double

    /// Whether another timed run is due after `runs` runs that took `spent` seconds.
    func wantsMore(runs: Int, spent: Double) -> Bool {
        runs < minimumRuns || (runs < maximumRuns && spent < budgetSeconds)
    }
}

/// Statistics of the timed runs of one measurement.
struct Timing: Codable, Sendable {
    /// The median run time, the figure every table reports.
    let medianSeconds: Double
    let minimumSeconds: Double
    let maximumSeconds: Double
    let runs: Int

    init(samples: [Double]) {
        let sorted = samples.sorted()
        medianSeconds = Statistics.median(sorted)
        minimumSeconds = sorted.first ?? 0
        maximumSeconds = sorted.last ?? 0
        runs = sorted.count
    }
}

/// Small helpers over samples.
enum Statistics {
    /// The median (mean of the two middle values for an even count); 0 for no values.
    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}

/// Times `body` under `policy`. The body returns a value of its result for the ``Sink``.
func measure(_ policy: RunPolicy, _ body: () throws -> Float) rethrows -> Timing {
    for _ in 0..<policy.warmupRuns { Sink.consume(try body()) }
    var samples: [Double] = []
    var spent = 0.0
    while policy.wantsMore(runs: samples.count, spent: spent) {
        let start = monotonicSeconds()
        Sink.consume(try body())
        let elapsed = monotonicSeconds() - start
        samples.append(elapsed)
        spent += elapsed
    }
    return Timing(samples: samples)
}

/// Times two bodies alternately (first, second, first, ...), so that a change of machine load
/// during the measurement affects both alike and their ratio stays meaningful.
func measureAlternately(_ policy: RunPolicy, _ first: () throws -> Float,
                        _ second: () throws -> Float) rethrows -> (first: Timing, second: Timing) {
    for _ in 0..<policy.warmupRuns {
        Sink.consume(try first())
        Sink.consume(try second())
    }
    var firstSamples: [Double] = [], secondSamples: [Double] = []
    var spent = 0.0
    while policy.wantsMore(runs: firstSamples.count, spent: spent / 2) {
        var start = monotonicSeconds()
        Sink.consume(try first())
        let firstElapsed = monotonicSeconds() - start
        start = monotonicSeconds()
        Sink.consume(try second())
        let secondElapsed = monotonicSeconds() - start
        firstSamples.append(firstElapsed)
        secondSamples.append(secondElapsed)
        spent += firstElapsed + secondElapsed
    }
    return (Timing(samples: firstSamples), Timing(samples: secondSamples))
}
