// Performance benchmarks of the framework:
//   swift run -c release Benchmarks [--threads N] [--only NAME] [--passes N] [--json out.json]
//   swift run -c release Benchmarks --per-layer [--only MODEL]
//   swift run -c release Benchmarks --lenet-epoch ../shared/datasets/mnist [--threads 2]
//   swift run -c release Benchmarks --sparse-threshold [--threads 1,2] [--passes N]
// Part 1 compares conv/linear forward+backward with the bare cblas_sgemm calls they contain, part 2 times
// training steps against the PyTorch reference, part 3 runs one LeNet MNIST epoch for peak memory, part 4
// (--per-layer) shows where a training step's time goes. Examples/Benchmarks/run.sh runs them all.
import Foundation
import TensorCore

/// Prints a line at once, so progress shows while later measurements run.
func log(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

func runBenchmarks(_ options: Options) throws -> BenchmarkReport {
    if options.cpuClock { measurementClock = CLOCK_PROCESS_CPUTIME_ID }
    var report = BenchmarkReport(environment: EnvironmentInfo(options: options))
    let gate = QuietGate(budgetSeconds: options.maximumWait)
    let session = try PyTorchSession(paths: options.pytorchResults)
    log("# ILNAS benchmarks, \(report.environment.date), \(report.environment.cpu), "
        + "OpenBLAS kernels \(report.environment.blasKernels) (detected \(report.environment.blasKernelsDetected)), "
        + "direct kernels \(report.environment.directKernels), "
        + "1-min load at start \(report.environment.load1AtStart.map { format($0, 2) } ?? "?")")

    if let directory = options.lenetEpochDirectory {
        try ComputeThreads.configure(threads: options.threads[0])
        gate.waitForQuiet()
        let result = try EpochBenchmark.run(directory: directory)
        report.epoch = result
        log("\n## LeNet-5, one MNIST epoch\n\n" + Tables.epoch(result))
        return report
    }

    if options.sparseThreshold {
        var crossovers: [Double] = []
        for pass in 1...options.passes {
            for threads in options.threads {
                try ComputeThreads.configure(threads: threads)
                gate.waitForQuiet()
                let (result, contention) = try withContention { try SparseThresholdBenchmark.run() }
                crossovers.append(result.threshold)
                log("\n## Sparse (CSR) / dense (GEMM) time by weight density, batch \(SparseThresholdBenchmark.batch), "
                    + "pass \(pass), \(threads) thread(s) (others \(Tables.cores(contention.otherCores)) cores)\n\n"
                    + SparseThresholdBenchmark.table(result.rows)
                    + "\n\nmedian crossover density: \(format(result.threshold, 3))")
            }
        }
        log("\nsparse threshold (median crossover over shapes, threads and passes): \(format(Statistics.median(crossovers), 3))")
        return report
    }

    if options.perLayer {
        for threads in options.threads {
            try ComputeThreads.configure(threads: threads)
            for model in ReferenceModel.allCases where options.selects("layers/\(model.rawValue)") {
                gate.waitForQuiet()
                let profile = try gate.measure("layers/\(model.rawValue)", contention: \.contention) {
                    try TrainingBenchmark.profile(model)
                }
                report.layerProfiles.append(profile)
                log("\n## \(model.rawValue), \(threads) thread(s): per-layer medians over \(profile.steps) steps "
                    + "(others \(Tables.cores(profile.contention.otherCores)) cores)\n\n" + Tables.layers(profile))
            }
        }
        return report
    }

    for pass in 1...options.passes {
        for threads in options.threads {
            try ComputeThreads.configure(threads: threads)
            gate.waitForQuiet()
            for overheadCase in OverheadCase.all where options.selects("overhead/\(overheadCase.name)") {
                let result = try gate.measure("overhead/\(overheadCase.name)", contention: \.contention) {
                    try OverheadBenchmark.run(overheadCase, pass: pass)
                }
                report.overhead.append(result)
                log("pass \(pass) threads \(threads) overhead/\(result.name): framework \(format(result.framework.medianSeconds * 1e3, 3)) ms, "
                    + "bare \(format(result.bare.medianSeconds * 1e3, 3)) ms, ratio \(format(result.ratio, 2)) "
                    + "(\(result.framework.runs) runs, others \(Tables.cores(result.contention.otherCores)))")
            }
            for model in ReferenceModel.allCases where options.selects("train/\(model.rawValue)") {
                gate.waitForQuiet()
                let result = try gate.measure("train/\(model.rawValue)", contention: \.contention) {
                    try TrainingBenchmark.run(model, pass: pass)
                }
                report.training.append(result)
                log("pass \(pass) threads \(threads) train/\(result.model): \(format(result.imagesPerSecond)) img/s "
                    + "(\(format(result.step.medianSeconds * 1e3, 2)) ms/step, \(result.step.runs) steps, "
                    + "others \(Tables.cores(result.contention.otherCores)))")
            }
        }
    }
    report.summarise(session: session)
    if !report.overheadSummary.isEmpty {
        log("\n## Part 1: framework op vs bare cblas_sgemm, forward+backward, batch 128 (medians over \(options.passes) passes; * below 0.85)\n\n"
            + "Convolutions run by im2col against the GEMMs they contain; `NAME/winograd` rows run Winograd F(2x2, 3x3), "
            + "the default for them, and `NAME/direct` rows the direct small-channel kernels (\(try KernelPath.current().rawValue); "
            + "the default up to \(ConvolutionAlgorithm.directMaximumInputChannels) input channels and \(ConvolutionAlgorithm.directMaximumOutputTaps) output channels x taps), "
            + "and `NAME/implicit` rows the implicit GEMM (the default for other stride-1 convolutions from \(ConvolutionAlgorithm.implicitGEMMMinimumPatchSize) patch rows), "
            + "against the same im2col GEMMs.\n\n"
            + Tables.overhead(report.overheadSummary))
    }
    if !report.trainingSummary.isEmpty {
        log("\n## Part 2: training step (TrainingLoop.step, SGD momentum 0.9), batch 128, vs PyTorch: best clean of RESULTS.md "
            + "and, when given, measured in this session\n\n"
            + Tables.training(report.trainingSummary))
    }
    return report
}

OpenBLASThreadPool.restartWithoutPool()
do {
    let options = try Options(arguments: Array(CommandLine.arguments.dropFirst()))
    if options.showHelp {
        log(Options.help)
        exit(0)
    }
    var report = try runBenchmarks(options)
    report.sink = Sink.value
    log("\nsink \(Sink.value)")
    if let path = options.jsonPath {
        try report.write(to: path)
        log("wrote \(path)")
    }
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(1)
}
