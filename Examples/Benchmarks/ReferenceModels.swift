import NeuralNetwork
import TensorCore

/// The models of the PyTorch reference (`/work/shared/bench/pytorch/common.py`), built from framework layers
/// with PyTorch's default initialisation.
enum ReferenceModel: String, CaseIterable, Codable {
    case mlp
    case lenet5
    case cnn100k
    case vggS = "vgg_s"

    /// The `[C, H, W]` shape of one input image.
    var imageShape: [Int] {
        switch self {
        case .mlp, .lenet5, .cnn100k: return [1, 28, 28]
        case .vggS: return [3, 32, 32]
        }
    }

    /// The layer sequence, as in `common.py`.
    var summary: String {
        switch self {
        case .mlp: return "MLP 784-300-100-10 ReLU"
        case .lenet5: return "c5x5(6,p2)-mp-c5x5(16)-mp-fc120-fc84-fc10"
        case .cnn100k: return "c5x5(32)-mp-c5x5(64)-mp-fc48-fc10"
        case .vggS: return "c3x3 32-32-M-64-64-M-128-128-M-GAP-fc10"
        }
    }

    /// Training images per second of PyTorch 2.15 (oneDNN + MKL) on this machine type, batch 128: the
    /// "train img/s (best clean)" column of `/work/shared/bench/pytorch/RESULTS.md` (measured 2026-12-01).
    func pytorchTrainImagesPerSecond(threads: Int) -> Double? {
        switch (self, threads) {
        case (.mlp, 1): return 27_788.5
        case (.mlp, 2): return 53_206.1
        case (.lenet5, 1): return 4_019.3
        case (.lenet5, 2): return 7_206.4
        case (.cnn100k, 1): return 1_110.6
        case (.cnn100k, 2): return 1_458.0
        case (.vggS, 1): return 161.3
        case (.vggS, 2): return 291.2
        default: return nil
        }
    }

    /// A freshly initialised network.
    func build(seed: UInt64) -> Sequential {
        var g = RandomGenerator(seed: seed)
        switch self {
        case .mlp:
            return Sequential(name: rawValue, [
                Flatten(name: "flatten"),
                Linear(name: "fc1", inputFeatures: 784, outputFeatures: 300, generator: &g), ReLU(name: "relu1"),
                Linear(name: "fc2", inputFeatures: 300, outputFeatures: 100, generator: &g), ReLU(name: "relu2"),
                Linear(name: "fc3", inputFeatures: 100, outputFeatures: 10, generator: &g),
            ])
        case .lenet5:
            return Sequential.leNet5(generator: &g)
        case .cnn100k:
            return Sequential(name: rawValue, [
                Conv2d(name: "conv1", inputChannels: 1, outputChannels: 32, kernelSize: 5, generator: &g),
                ReLU(name: "relu1"), MaxPool2d(name: "pool1", kernelSize: 2),
                Conv2d(name: "conv2", inputChannels: 32, outputChannels: 64, kernelSize: 5, generator: &g),
                ReLU(name: "relu2"), MaxPool2d(name: "pool2", kernelSize: 2),
                Flatten(name: "flatten"),
                Linear(name: "fc1", inputFeatures: 1024, outputFeatures: 48, generator: &g), ReLU(name: "relu3"),
                Linear(name: "fc2", inputFeatures: 48, outputFeatures: 10, generator: &g),
            ])
        case .vggS:
            var layers: [Layer] = []
            var inputs = 3, index = 1, pool = 1
            for width in [32, 32, 0, 64, 64, 0, 128, 128, 0] {
                if width == 0 {
                    layers.append(MaxPool2d(name: "pool\(pool)", kernelSize: 2))
                    pool += 1
                    continue
                }
                layers.append(Conv2d(name: "conv\(index)", inputChannels: inputs, outputChannels: width,
                                     kernelSize: 3, padding: 1, generator: &g))
                layers.append(ReLU(name: "relu\(index)"))
                inputs = width
                index += 1
            }
            layers += [GlobalAvgPool(name: "gap"), Linear(name: "fc", inputFeatures: inputs, outputFeatures: 10, generator: &g)]
            return Sequential(name: rawValue, layers)
        }
    }
}

/// Counting conventions of the PyTorch reference: FLOPs are 2 x multiply-accumulates of convolution and
/// linear layers, forward, per image; parameters are every trainable entry.
enum ModelCost {
    /// Forward FLOPs per image of each layer of `model` for images of `imageShape` (0 for other layers).
    static func forwardFlopsPerImage(_ model: Sequential, imageShape: [Int]) throws -> [Double] {
        var shape = [1] + imageShape
        var flops: [Double] = []
        for layer in model.layers {
            let output = try layer.outputShape(forInput: shape)
            switch layer {
            case let conv as Conv2d:
                flops.append(Double(2 * conv.geometry.patchSize * output.dropFirst().reduce(1, *)))
            case let linear as Linear:
                flops.append(Double(2 * linear.inputFeatures * linear.outputFeatures))
            default:
                flops.append(0)
            }
            shape = output
        }
        return flops
    }

    /// The number of trainable entries.
    static func parameterCount(_ model: Layer) -> Int {
        model.parameters.reduce(0) { $0 + $1.count }
    }
}
