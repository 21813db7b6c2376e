import TensorCore

/// Throws a shape mismatch naming `layer`'s output gradient unless `gradient` has `shape`,
/// the shape the layer's last training-mode forward pass produced.
func ensureOutputGradient(_ gradient: Tensor, _ shape: [Int], layer: String) throws {
    guard gradient.shape == shape else {
        throw NetworkError.shapeMismatch(layer: "\(layer) (output gradient)", expected: shape, actual: gradient.shape)
    }
}

/// Throws a shape mismatch naming `layer` unless `shape` is a rank-4 NCHW shape.
/// Unknown sizes appear as `-1` in the expected shape.
func ensureImageShape(_ shape: [Int], layer: String) throws {
    guard shape.count == 4 else {
        throw NetworkError.shapeMismatch(layer: layer, expected: [shape.first ?? -1, -1, -1, -1], actual: shape)
    }
}
