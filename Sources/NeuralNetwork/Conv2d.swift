import TensorCore

/// A 2-D convolution layer over NCHW input, with weight `[out, in, kh, kw]` (PyTorch's layout).
public final class Conv2d: Layer {
    public var name: String
    public private(set) var geometry: ConvolutionGeometry
    public let weight: Parameter
    public let bias: Parameter?
    private var cachedInput: Tensor?

    /// Creates a layer with PyTorch's default initialisation (fan-in = in · kh · kw).
    public init(name: String = "conv", geometry: ConvolutionGeometry, bias hasBias: Bool = true, generator: inout RandomGenerator) {
        self.name = name
        self.geometry = geometry
        let fanIn = geometry.patchSize
        weight = Parameter(name: "\(name).weight", role: .weight,
                           value: DefaultInitialization.weight(
                               shape: [geometry.outputChannels, geometry.inputChannels, geometry.kernelHeight, geometry.kernelWidth],
                               fanIn: fanIn, generator: &generator))
        bias = hasBias
            ? Parameter(name: "\(name).bias", role: .bias,
                        value: DefaultInitialization.bias(count: geometry.outputChannels, fanIn: fanIn, generator: &generator))
            : nil
    }

    /// A square-kernel convolution.
    public convenience init(name: String = "conv", inputChannels: Int, outputChannels: Int, kernelSize: Int,
                            stride: Int = 1, padding: Int = 0, dilation: Int = 1, bias: Bool = true,
                            generator: inout RandomGenerator) {
        self.init(name: name,
                  geometry: ConvolutionGeometry(inputChannels: inputChannels, outputChannels: outputChannels,
                                                kernelSize: kernelSize, stride: stride, padding: padding, dilation: dilation),
                  bias: bias, generator: &generator)
    }

    public var parameters: [Parameter] { [weight] + (bias.map { [$0] } ?? []) }

    public func outputShape(forInput shape: [Int]) throws -> [Int] {
        guard shape.count == 4, shape[1] == geometry.inputChannels else {
            throw NetworkError.shapeMismatch(layer: name, expected: [shape.first ?? 0, geometry.inputChannels, -1, -1], actual: shape)
        }
        let size = try naming(name) { try geometry.outputSize(height: shape[2], width: shape[3]) }
        return [shape[0], geometry.outputChannels, size.height, size.width]
    }

    public func forward(_ input: Tensor, mode: ForwardMode) throws -> Tensor {
        _ = try outputShape(forInput: input.shape)
        let output = try naming(name) {
            try Convolution2D.forward(input: input, weight: weight.value, bias: bias?.value, geometry: geometry)
        }
        cachedInput = mode == .training ? input : nil
        return output
    }

    /// Accumulates the weight and bias gradients and returns `∂L/∂input`.
    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        guard let inputGradient = try backPropagate(outputGradient, needsInputGradient: true) else {
            throw NetworkError.missingForward(layer: name)
        }
        return inputGradient
    }

    /// Accumulates the weight and bias gradients without folding the input gradient back into images.
    public func accumulateParameterGradients(_ outputGradient: Tensor) throws {
        try backPropagate(outputGradient, needsInputGradient: false)
    }

    /// Accumulates the weight and bias gradients of the last training-mode forward pass, and returns
    /// `∂L/∂input` when `needsInputGradient` (otherwise `nil`).
    @discardableResult
    private func backPropagate(_ outputGradient: Tensor, needsInputGradient: Bool) throws -> Tensor? {
        guard let input = cachedInput else { throw NetworkError.missingForward(layer: name) }
        var biasGradient = bias?.gradient
        let inputGradient = try naming(name) {
            try Convolution2D.backward(outputGradient: outputGradient, input: input, weight: weight.value, geometry: geometry,
                                       weightGradient: &weight.gradient, biasGradient: &biasGradient,
                                       needsInputGradient: needsInputGradient)
        }
        if let bias, let biasGradient { bias.gradient = biasGradient }
        return inputGradient
    }
}
