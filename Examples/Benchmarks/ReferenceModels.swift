import NeuralNetwork
import TensorCore

/// The models of the PyTorch reference (`/work/shared/bench/pytorch/common.py`), built from framework layers
/// with PyTorch's default initialisation.
enum ReferenceModel: String, CaseIterable, Codable {
    case mlp
    case lenet5
    case cnn100k
    case vggS = "vgg_s"
    case vggM = "vgg_m"
    case vggL = "vgg_l"
    case resnet20

    /// The `[C, H, W]` shape of one input image.
    var imageShape: [Int] {
        switch self {
        case .mlp, .lenet5, .cnn100k: return [1, 28, 28]
        case .vggS, .vggM, .vggL, .resnet20: return [3, 32, 32]
        }
    }

    /// The layer sequence, as in `common.py`.
    var summary: String {
        switch self {
        case .mlp: return "MLP 784-300-100-10 ReLU"
        case .lenet5: return "c5x5(6,p2)-mp-c5x5(16)-mp-fc120-fc84-fc10"
        case .cnn100k: return "c5x5(32)-mp-c5x5(64)-mp-fc48-fc10"
        case .vggS: return "c3x3 32-32-M-64-64-M-128-128-M-GAP-fc10"
        case .vggM: return "c3x3 64-64-M-128-128-M-256-256-M-GAP-fc10"
        case .vggL: return "c3x3 96-96-M-192-192-M-384-384-M-GAP-fc10"
        case .resnet20: return "ResNet-20: c3x3 16-BN, 3x3 basic blocks 16/32/64 (option-A shortcut, BN), GAP-fc10"
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
        case (.vggM, 1): return 46.9
        case (.vggM, 2): return 78.9
        case (.vggL, 1): return 25.7
        case (.vggL, 2): return 43.0
        case (.resnet20, 1): return 125.1
        case (.resnet20, 2): return 243.7
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
        case .vggS: return vgg(width: 32, generator: &g)
        case .vggM: return vgg(width: 64, generator: &g)
        case .vggL: return vgg(width: 96, generator: &g)
        case .resnet20: return resnet20(generator: &g)
        }
    }

    /// `vgg(width, False)` of `common.py`: 3x3 convolutions of widths w, w, 2w, 2w, 4w, 4w with ReLU, a 2x2 max pool
    /// after each pair, global average pooling and a linear classifier.
    private func vgg(width: Int, generator g: inout RandomGenerator) -> Sequential {
        var layers: [Layer] = []
        var inputs = 3, index = 1, pool = 1
        for channels in [width, width, 0, 2 * width, 2 * width, 0, 4 * width, 4 * width, 0] {
            if channels == 0 {
                layers.append(MaxPool2d(name: "pool\(pool)", kernelSize: 2))
                pool += 1
                continue
            }
            layers.append(Conv2d(name: "conv\(index)", inputChannels: inputs, outputChannels: channels,
                                 kernelSize: 3, padding: 1, generator: &g))
            layers.append(ReLU(name: "relu\(index)"))
            inputs = channels
            index += 1
        }
        layers += [GlobalAvgPool(name: "gap"), Linear(name: "fc", inputFeatures: inputs, outputFeatures: 10, generator: &g)]
        return Sequential(name: rawValue, layers)
    }

    /// `resnet20()` of `common.py`: a 3x3 convolution to 16 channels, three stages of three basic blocks
    /// (16, 32, 64 channels; the first block of the later stages has stride 2 and the option-A shortcut), every
    /// convolution without bias and followed by batch normalisation, global average pooling and a linear classifier.
    private func resnet20(generator g: inout RandomGenerator) -> Sequential {
        func conv(_ name: String, _ inputs: Int, _ outputs: Int, stride: Int = 1) -> Conv2d {
            Conv2d(name: name, inputChannels: inputs, outputChannels: outputs, kernelSize: 3, stride: stride, padding: 1,
                   bias: false, generator: &g)
        }
        var layers: [Layer] = [conv("conv1", 3, 16), BatchNorm2d(name: "bn1", channels: 16), ReLU(name: "relu1")]
        var inputs = 16
        for (stage, width) in [16, 32, 64].enumerated() {
            for index in 0..<3 {
                let name = "block\(stage + 1).\(index + 1)", stride = stage > 0 && index == 0 ? 2 : 1
                let body = Sequential(name: "\(name).body", [
                    conv("\(name).conv1", inputs, width, stride: stride), BatchNorm2d(name: "\(name).bn1", channels: width),
                    ReLU(name: "\(name).relu1"),
                    conv("\(name).conv2", width, width), BatchNorm2d(name: "\(name).bn2", channels: width),
                ])
                // The widths only grow and the strides are positive: the block's configuration is always valid.
                layers.append(try! ResidualBlock(name: name, body: body, inputChannels: inputs, outputChannels: width, stride: stride))
                layers.append(ReLU(name: "\(name).relu"))
                inputs = width
            }
        }
        layers += [GlobalAvgPool(name: "gap"), Linear(name: "fc", inputFeatures: inputs, outputFeatures: 10, generator: &g)]
        return Sequential(name: rawValue, layers)
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
            flops.append(try forwardFlops(layer, input: shape))
            shape = try layer.outputShape(forInput: shape)
        }
        return flops
    }

    /// Forward FLOPs of `layer` for one input of `shape` (`[1, C, H, W]` or `[1, features]`), counting the layers
    /// inside sequences and residual blocks.
    private static func forwardFlops(_ layer: Layer, input shape: [Int]) throws -> Double {
        switch layer {
        case let conv as Conv2d:
            return Double(2 * conv.geometry.patchSize * (try layer.outputShape(forInput: shape)).dropFirst().reduce(1, *))
        case let linear as Linear:
            return Double(2 * linear.inputFeatures * linear.outputFeatures)
        case let block as ResidualBlock:
            return try forwardFlops(block.body, input: shape)
        case let sequence as Sequential:
            return try forwardFlopsPerImage(sequence, imageShape: Array(shape.dropFirst())).reduce(0, +)
        default:
            return 0
        }
    }

    /// The number of trainable entries.
    static func parameterCount(_ model: Layer) -> Int {
        model.parameters.reduce(0) { $0 + $1.count }
    }
}
