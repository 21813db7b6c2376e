import TensorCore

/// A tensor as a safetensors file holds it: a shape and row-major elements of one `ElementType`.
public struct StoredTensor: Equatable, Sendable {
    /// The size of each dimension, outermost first; `[]` for a scalar.
    public let shape: [Int]
    /// The elements in row-major order; `elements.count` is the product of `shape`.
    public let elements: TensorElements

    /// Creates a stored tensor from a shape and its elements.
    /// - Precondition: every dimension is non-negative and their product equals `elements.count`.
    public init(shape: [Int], elements: TensorElements) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in shape \(shape)")
        precondition(shape.reduce(1, *) == elements.count,
                     "shape \(shape) needs \(shape.reduce(1, *)) elements, got \(elements.count)")
        self.shape = shape
        self.elements = elements
    }

    /// Stores a `Tensor` as `F32`.
    public init(_ tensor: Tensor) {
        self.init(shape: tensor.shape, elements: .float32(tensor.scalars))
    }

    /// The tensor as a `Tensor`, or `nil` if its elements are not `F32`.
    public var tensor: Tensor? {
        guard case let .float32(scalars) = elements else { return nil }
        return Tensor(shape: shape, scalars: scalars)
    }
}
