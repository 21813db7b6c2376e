import Foundation

/// Collects the operators and initializers of an ONNX graph, in the order they are added.
struct ONNXGraphBuilder {
    private(set) var nodes: [Onnx_NodeProto] = []
    private(set) var initializers: [Onnx_TensorProto] = []

    /// An attribute of an operator: one integer, a list of integers or one float.
    enum Attribute {
        case int(Int)
        case ints([Int])
        case float(Float)
    }

    /// Adds operator `type` reading `inputs` and writing the tensor `output` (also the operator's name); returns `output`.
    @discardableResult
    mutating func add(_ type: String, _ inputs: [String], output: String, attributes: [String: Attribute] = [:]) -> String {
        var node = Onnx_NodeProto()
        node.opType = type
        node.name = output
        node.input = inputs
        node.output = [output]
        node.attribute = attributes.sorted { $0.key < $1.key }.map { name, value in
            var attribute = Onnx_AttributeProto()
            attribute.name = name
            switch value {
            case let .int(i): attribute.type = .int; attribute.i = Int64(i)
            case let .ints(list): attribute.type = .ints; attribute.ints = list.map(Int64.init)
            case let .float(f): attribute.type = .float; attribute.f = f
            }
            return attribute
        }
        nodes.append(node)
        return output
    }

    /// Adds a float initializer `name` of `shape` holding `scalars` (row-major); returns `name`.
    @discardableResult
    mutating func addInitializer(_ name: String, shape: [Int], scalars: [Float]) -> String {
        var tensor = Onnx_TensorProto()
        tensor.name = name
        tensor.dataType = Int32(Onnx_TensorProto.DataType.float.rawValue)
        tensor.dims = shape.map(Int64.init)
        var bytes = Data(capacity: scalars.count * 4)
        for value in scalars { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
        tensor.rawData = bytes
        initializers.append(tensor)
        return name
    }

    /// Adds a 64-bit integer initializer `name` (shapes, slice bounds); returns `name`.
    @discardableResult
    mutating func addInitializer(_ name: String, integers: [Int]) -> String {
        var tensor = Onnx_TensorProto()
        tensor.name = name
        tensor.dataType = Int32(Onnx_TensorProto.DataType.int64.rawValue)
        tensor.dims = [Int64(integers.count)]
        tensor.int64Data = integers.map(Int64.init)
        initializers.append(tensor)
        return name
    }

    /// A float tensor's type, `[batch] + shape`, the first dimension symbolic.
    static func floatType(batch: String, shape: [Int]) -> Onnx_TypeProto {
        var tensorType = Onnx_TypeProto.Tensor()
        tensorType.elemType = Int32(Onnx_TensorProto.DataType.float.rawValue)
        var batchDimension = Onnx_TensorShapeProto.Dimension()
        batchDimension.dimParam = batch
        tensorType.shape.dim = [batchDimension] + shape.map { size in
            var dimension = Onnx_TensorShapeProto.Dimension()
            dimension.dimValue = Int64(size)
            return dimension
        }
        var type = Onnx_TypeProto()
        type.tensorType = tensorType
        return type
    }
}
