import TensorCore

/// Inverted dropout: in training mode each element is zeroed with probability `probability` and the
/// rest scaled by `1 / (1 - probability)`; in inference mode the layer is the identity.
///
/// The layer owns a seeded `RandomGenerator`, so a run with the same seed draws the same masks.
public final class Dropout: Layer {
    /// The name used in errors and reports.
    public var name: String
    /// The probability of zeroing an element, in [0, 1].
    public let probability: Float
    private var generator: RandomGenerator
    private var cachedMask: Tensor?

    /// Creates the layer; throws ``NetworkError/invalidConfiguration(layer:reason:)`` unless `probability` is in [0, 1].
    public init(name: String = "dropout", probability: Float = 0.5, seed: UInt64) throws {
        guard probability >= 0, probability <= 1 else {
            throw NetworkError.invalidConfiguration(layer: name, reason: "dropout probability must lie in [0, 1], got \(probability)")
        }
        self.name = name
        self.probability = probability
        generator = RandomGenerator(seed: seed)
    }

    /// The input shape: dropout is element-wise.
    public func outputShape(forInput shape: [Int]) throws -> [Int] { shape }

    /// The input with a fresh random mask applied in training mode, unchanged in inference mode.
    public func forward(_ input: Tensor, mode: ForwardMode) throws -> Tensor {
        guard mode == .training else {
            cachedMask = nil
            return input
        }
        let result = try naming(name) { try InvertedDropout.forward(input: input, probability: probability, generator: &generator) }
        cachedMask = result.mask
        return result.output
    }

    /// `∂L/∂output` masked and scaled as in the last training-mode forward pass.
    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        guard let mask = cachedMask else { throw NetworkError.missingForward(layer: name) }
        try ensureOutputGradient(outputGradient, mask.shape, layer: name)
        return try naming(name) { try InvertedDropout.backward(outputGradient: outputGradient, mask: mask) }
    }
}
