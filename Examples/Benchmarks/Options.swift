/// Errors of the benchmark program.
enum BenchmarkError: Error, CustomStringConvertible {
    /// The command line could not be understood.
    case usage(String)
    /// A benchmark could not run.
    case failed(String)

    var description: String {
        switch self {
        case let .usage(reason): return "\(reason)\n\n\(Options.help)"
        case let .failed(reason): return reason
        }
    }
}

/// The command line of the benchmark program.
struct Options {
    /// Thread counts to measure, each set with `ComputeThreads.configure(threads:)`.
    var threads: [Int] = [1, 2]
    /// Substrings of benchmark names to run (all when empty), e.g. `overhead`, `train/vgg_s`, `lenet5`.
    var only: [String] = []
    /// Where to write the JSON results.
    var jsonPath: String?
    /// Times every measurement is repeated; tables report the median over passes.
    var passes = 2
    /// Profile each layer's forward and backward instead of parts 1 and 2.
    var perLayer = false
    /// Run one LeNet-5 MNIST epoch from this directory instead of parts 1 and 2.
    var lenetEpochDirectory: String?
    /// `bench_speed.py` result files of PyTorch measured in the same session, compared alongside RESULTS.md.
    var pytorchResults: [String] = []
    /// Seconds the whole run may sleep waiting for other processes to leave the cores alone.
    var maximumWait = 120.0
    /// Measure the density below which sparse weights beat GEMM instead of parts 1 and 2.
    var sparseThreshold = false
    /// Time by the process's CPU time instead of the wall clock.
    var cpuClock = false
    /// Print the usage text and do nothing else.
    var showHelp = false

    static let help = """
        usage: swift run -c release Benchmarks [options]
          (default)            part 1, framework op vs bare GEMM, and part 2, training-step throughput vs PyTorch
          --threads N[,M]      thread counts (repeatable; default 1,2)
          --only NAME          run only benchmarks whose name contains NAME (repeatable), e.g. overhead,
                               overhead/vgg_s.conv2, train, train/lenet5, lenet5
          --passes N           repeat every measurement N times and report medians (default 2)
          --json PATH          also write all results as JSON
          --pytorch-json PATH  PyTorch measured in this session by the reference's bench_speed.py
                               (results/speed_pass<N>.json; repeatable, median of clean rows)
          --max-wait SECONDS   time the run may sleep waiting for other processes to go idle before a
                               measurement, or to repeat one they disturbed (default 120; 0 never waits)
          --cpu-clock          time by the process's CPU time, not the wall clock: robust to other processes
                               taking turns on the cores, meaningful with --threads 1 only (no polling workers)
          --per-layer          time each layer's forward and backward in a training step (names: layers/MODEL)
          --lenet-epoch DIR    one LeNet-5 epoch on the MNIST IDX files in DIR: time, accuracy, peak RSS
          --sparse-threshold   sparse (CSR) kernel vs GEMM at falling weight densities on searched MNIST
                               layer shapes: the density below which inference stores a weight sparse
          --help               this text
        """

    /// Parses `arguments` (without the program name).
    init(arguments: [String]) throws {
        var explicitThreads: [Int] = []
        var iterator = arguments.makeIterator()
        func value(for option: String) throws -> String {
            guard let value = iterator.next() else { throw BenchmarkError.usage("\(option) needs a value") }
            return value
        }
        while let argument = iterator.next() {
            switch argument {
            case "--threads":
                for part in try value(for: argument).split(separator: ",") {
                    guard let count = Int(part), count >= 1 else {
                        throw BenchmarkError.usage("--threads takes positive integers, got '\(part)'")
                    }
                    explicitThreads.append(count)
                }
            case "--only":
                only.append(try value(for: argument))
            case "--passes":
                let text = try value(for: argument)
                guard let count = Int(text), count >= 1 else { throw BenchmarkError.usage("--passes takes a positive integer, got '\(text)'") }
                passes = count
            case "--max-wait":
                let text = try value(for: argument)
                guard let seconds = Double(text), seconds >= 0 else {
                    throw BenchmarkError.usage("--max-wait takes a non-negative number of seconds, got '\(text)'")
                }
                maximumWait = seconds
            case "--pytorch-json":
                pytorchResults.append(try value(for: argument))
            case "--json":
                jsonPath = try value(for: argument)
            case "--cpu-clock":
                cpuClock = true
            case "--per-layer":
                perLayer = true
            case "--lenet-epoch":
                lenetEpochDirectory = try value(for: argument)
            case "--sparse-threshold":
                sparseThreshold = true
            case "--help", "-h":
                showHelp = true
            default:
                throw BenchmarkError.usage("unknown argument '\(argument)'")
            }
        }
        if !explicitThreads.isEmpty { threads = explicitThreads }
    }

    /// Whether the benchmark called `name` is selected by `--only`.
    func selects(_ name: String) -> Bool {
        only.isEmpty || only.contains { name.contains($0) }
    }
}
