import TensorCore

/// A fully connected layer `y = x Wᵀ + b` with weight `[outputFeatures, inputFeatures]` (PyTorch's layout).
public final class Linear: Layer {
    public var name: String
    public let weight: Parameter
    public let bias: Parameter?
    private var cachedInput: Tensor?

    /// Creates a layer with PyTorch's default initialisation.
    public init(name: String = "linear", inputFeatures: Int, outputFeatures: Int, bias hasBias: Bool = true,
                generator: inout RandomGenerator) {
        self.name = name
        weight = Parameter(name: "\(name).weight", role: .weight,
                           value: DefaultInitialization.weight(shape: [outputFeatures, inputFeatures], fanIn: inputFeatures, generator: &generator))
        bias = hasBias
            ? Parameter(name: "\(name).bias", role: .bias,
                        value: DefaultInitialization.bias(count: outputFeatures, fanIn: inputFeatures, generator: &generator))
            : nil
    }

    public var inputFeatures: Int { weight.shape[1] }
    public var outputFeatures: Int { weight.shape[0] }
    public var parameters: [Parameter] { [weight] + (bias.map { [$0] } ?? []) }

    public func outputShape(forInput shape: [Int]) throws -> [Int] {
        guard shape.count == 2, shape[1] == inputFeatures else {
            throw NetworkError.shapeMismatch(layer: name, expected: [shape.first ?? 0, inputFeatures], actual: shape)
        }
        return [shape[0], outputFeatures]
    }

    public func forward(_ input: Tensor, mode: ForwardMode) throws -> Tensor {
        let shape = try outputShape(forInput: input.shape)
        var output = Tensor(zeros: shape)
        let batch = shape[0], outputs = outputFeatures
        if let bias {
            output.withUnsafeMutableBufferPointer { y in
                bias.value.withUnsafeBufferPointer { b in
                    for n in 0..<batch { (y.baseAddress! + n * outputs).update(from: b.baseAddress!, count: outputs) }
                }
            }
        }
        input.withUnsafeBufferPointer { x in
            weight.value.withUnsafeBufferPointer { w in
                output.withUnsafeMutableBufferPointer { y in
                    Gemm.parallelMultiply(x.baseAddress!, w.baseAddress!, transposeB: true, into: y.baseAddress!,
                                          m: batch, n: outputs, k: inputFeatures, beta: bias == nil ? 0 : 1)
                }
            }
        }
        cachedInput = mode == .training ? input : nil
        return output
    }

    /// Accumulates `∂L/∂W` and `∂L/∂b` and returns `∂L/∂input = ∂L/∂output · W`.
    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        let input = try accumulateGradients(outputGradient)
        var inputGradient = Tensor(zeros: input.shape)
        outputGradient.withUnsafeBufferPointer { dy in
            weight.value.withUnsafeBufferPointer { w in
                inputGradient.withUnsafeMutableBufferPointer { dx in
                    // dX = dY · W  ([batch, out] · [out, in])
                    Gemm.parallelMultiply(dy.baseAddress!, w.baseAddress!, into: dx.baseAddress!,
                                          m: input.shape[0], n: inputFeatures, k: outputFeatures)
                }
            }
        }
        return inputGradient
    }

    /// Accumulates `∂L/∂W` and `∂L/∂b` without the input gradient's GEMM.
    public func accumulateParameterGradients(_ outputGradient: Tensor) throws {
        _ = try accumulateGradients(outputGradient)
    }

    /// Checks `outputGradient` against the last training-mode forward pass, adds `∂L/∂W` and `∂L/∂b`,
    /// and returns that pass's input.
    private func accumulateGradients(_ outputGradient: Tensor) throws -> Tensor {
        guard let input = cachedInput else { throw NetworkError.missingForward(layer: name) }
        let batch = input.shape[0], outputs = outputFeatures, inputs = inputFeatures
        guard outputGradient.shape == [batch, outputs] else {
            throw NetworkError.shapeMismatch(layer: "\(name) (output gradient)", expected: [batch, outputs], actual: outputGradient.shape)
        }
        outputGradient.withUnsafeBufferPointer { dy in
            input.withUnsafeBufferPointer { x in
                weight.gradient.withUnsafeMutableBufferPointer { dw in
                    // dW += dYᵀ · X  ([out, batch] · [batch, in])
                    Gemm.parallelMultiply(dy.baseAddress!, transposeA: true, x.baseAddress!, into: dw.baseAddress!,
                                          m: outputs, n: inputs, k: batch, beta: 1)
                }
            }
            if let bias {
                bias.gradient.withUnsafeMutableBufferPointer { db in
                    for n in 0..<batch {
                        let row = dy.baseAddress! + n * outputs
                        for o in 0..<outputs { db[o] += row[o] }
                    }
                }
            }
        }
        return input
    }
}
