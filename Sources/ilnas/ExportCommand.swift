import ArgumentParser
import Foundation
import ModelExport
import Serialization

/// `ilnas export RUN --format onnx|safetensors [--out FILE]`: the final network of a run, compacted (absent
/// channels, kernels and connections taken out), as an ONNX model or a plain safetensors file.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export the final network of a run, compacted, as ONNX or safetensors.",
        discussion: """
            Loads RUN/model.safetensors and RUN/data.json, removes every absent channel, kernel and connection, and \
            writes the plain network. onnx (opset 13): input 'pixels', float [batch, C, H, W] in [0, 1], normalised \
            inside the graph with the run's per-channel mean and standard deviation; output 'logits', [batch, \
            classes]. safetensors: the weights under plain names (conv2.from_conv1.weight, conv2.bias) and the graph \
            and input normalisation as JSON in the metadata entry 'compactNetwork'. Prints one JSON line.
            """
    )

    /// The file formats `ilnas export` writes.
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case onnx, safetensors

        /// The file written when `--out` is not given, in the run folder.
        var defaultFileName: String {
            switch self {
            case .onnx: return "model.onnx"
            case .safetensors: return "model-compact.safetensors"
            }
        }
    }

    /// What `ilnas export` prints.
    struct Outcome: Codable {
        var format: String
        var path: String
        /// Present weights and biases of the run's network.
        var parameterCount: Int
        /// Weights and biases stored in the export: the present ones and the zeros of absent kernels between kept channels.
        var storedParameterCount: Int
        /// Kept channels of the hidden layers, and layers kept.
        var hiddenChannels: Int
        var layers: Int
    }

    @Argument(help: ArgumentHelp("The run folder: the --out of ilnas search.", valueName: "run"))
    var runFolder: String
    @Option(help: "onnx or safetensors.")
    var format: Format = .onnx
    @Option(help: "The file to write (default: RUN/model.onnx or RUN/model-compact.safetensors).")
    var out: String?

    /// Where the export goes.
    var outputPath: String { out ?? RunFolder(path: runFolder).file(format.defaultFileName) }

    func run() throws {
        do {
            let folder = RunFolder(path: runFolder)
            try folder.requireSingleTask(for: "ilnas export")
            let network = try folder.network()
            let preparation = try folder.preparation()
            let normalization: InputNormalization
            do {
                normalization = try InputNormalization(mean: preparation.channelMean.map(Float.init),
                                                       standardDeviation: preparation.channelStandardDeviation.map(Float.init))
            } catch {
                throw CommandFailure(message: "\(folder.preparationPath): \(error)")
            }
            let compact = try network.compacted()
            let data: Data
            do {
                switch format {
                case .onnx: data = try compact.onnxModel(normalization: normalization, producerVersion: ILNASCommand.version)
                case .safetensors: data = try compact.safetensors(normalization: normalization).encoded()
                }
            } catch let error as ModelExportError {
                throw CommandFailure(message: "\(folder.preparationPath): \(error)")
            }
            try AtomicFile.replace(outputPath, with: data, creatingFolders: true)
            let hidden = compact.nodes.filter { $0.kind != .input && !$0.isOutput }
            let outcome = Outcome(format: format.rawValue, path: outputPath, parameterCount: network.parameterCount,
                                  storedParameterCount: compact.storedParameterCount,
                                  hiddenChannels: hidden.reduce(0) { $0 + $1.channelCount }, layers: compact.nodes.count - 1)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(outcome), as: UTF8.self))
        } catch let failure as CommandFailure {
            throw failure
        } catch {
            throw CommandFailure(error)
        }
    }
}
