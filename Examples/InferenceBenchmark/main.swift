// Inference throughput of a searched network: the compacted network (`CompactInference`, weights dense or sparse by
// density) against the masked dense network the search trains, timed alternately on the same inputs.
//   swift run -c release InferenceBenchmark RUN [--threads N] [--batch 500] [--steps 15] [--sparse-below D]
// Prints one JSON line. Examples/InferenceBenchmark/compare_pytorch.py runs it, interleaved with PyTorch running
// the same architecture densely, and reports the ratios.
import ArchitectureSearch
import Foundation
import ModelExport
import TensorCore

/// The command line.
struct Options {
    var run = ""
    var threads = System.coreCount
    var batch = 500
    var steps = 15
    var warmup = 3
    var sparseBelow = WeightLayout.measuredSparseThreshold

    static let usage = "usage: InferenceBenchmark RUN [--threads N] [--batch N] [--steps N] [--warmup N] [--sparse-below D]"

    init(arguments: [String]) throws {
        var iterator = arguments.makeIterator()
        func number(_ option: String, minimum: Int) throws -> Int {
            guard let text = iterator.next(), let value = Int(text), value >= minimum else {
                throw Failure("\(option) needs an integer of at least \(minimum)\n\(Self.usage)")
            }
            return value
        }
        while let argument = iterator.next() {
            switch argument {
            case "--threads": threads = try number(argument, minimum: 1)
            case "--batch": batch = try number(argument, minimum: 1)
            case "--steps": steps = try number(argument, minimum: 1)
            case "--warmup": warmup = try number(argument, minimum: 0)
            case "--sparse-below":
                guard let text = iterator.next(), let value = Double(text), (0...1).contains(value) else {
                    throw Failure("--sparse-below needs a density in 0...1\n\(Self.usage)")
                }
                sparseBelow = value
            default:
                guard run.isEmpty, !argument.hasPrefix("-") else { throw Failure("unknown argument '\(argument)'\n\(Self.usage)") }
                run = argument
            }
        }
        guard !run.isEmpty else { throw Failure("give the run folder of an ilnas search\n\(Self.usage)") }
    }
}

/// A failure with its message.
struct Failure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// What one invocation measured.
struct Result: Encodable {
    let run: String
    let threads: Int
    let batch: Int
    let steps: Int
    let compactImagesPerSecond: Double
    let maskedImagesPerSecond: Double
    /// Compact over masked images/s, the median of the per-step ratios of the alternated runs.
    let compactOverMasked: Double
    /// The layout of each connection of the compacted network.
    let layouts: [WeightLayout]
    /// The largest absolute difference between the two engines' logits on the timed batch.
    let maximumLogitDifference: Float
    /// Whether the logits of the last timed runs are all finite (also keeps the timed work observable).
    let logitsFinite: Bool
}

func seconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted(), middle = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

do {
    let options = try Options(arguments: Array(CommandLine.arguments.dropFirst()))
    try ComputeThreads.configure(threads: options.threads)
    let network = try GrowingNetwork(contentsOfFile: options.run + "/model.safetensors")
    let inference = try CompactInference(network.compacted(), sparseBelowDensity: options.sparseBelow)
    var generator = RandomGenerator(seed: 1)
    let input = generator.normalTensor(shape: [options.batch] + network.inputShape)
    var compactLogits = try inference.logits(input), maskedLogits = try network.forward(input, mode: .inference)
    let difference = zip(compactLogits.scalars, maskedLogits.scalars).reduce(Float(0)) { max($0, abs($1.0 - $1.1)) }
    for _ in 0..<options.warmup {
        compactLogits = try inference.logits(input)
        maskedLogits = try network.forward(input, mode: .inference)
    }
    var compactTimes: [Double] = [], maskedTimes: [Double] = []
    for _ in 0..<options.steps {
        var start = seconds()
        compactLogits = try inference.logits(input)
        compactTimes.append(seconds() - start)
        start = seconds()
        maskedLogits = try network.forward(input, mode: .inference)
        maskedTimes.append(seconds() - start)
    }
    let result = Result(run: options.run, threads: options.threads, batch: options.batch, steps: options.steps,
                        compactImagesPerSecond: Double(options.batch) / median(compactTimes),
                        maskedImagesPerSecond: Double(options.batch) / median(maskedTimes),
                        compactOverMasked: median(zip(maskedTimes, compactTimes).map { $0 / $1 }),
                        layouts: inference.layouts, maximumLogitDifference: difference,
                        logitsFinite: (compactLogits.scalars + maskedLogits.scalars).allSatisfy(\.isFinite))
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    print(String(decoding: try encoder.encode(result), as: UTF8.self))
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(1)
}
