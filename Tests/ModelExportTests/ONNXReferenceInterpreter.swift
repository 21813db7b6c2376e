import Foundation
@testable import ModelExport
import TensorCore
import XCTest

/// Runs the exported ONNX graphs in Swift, operator by operator as the ONNX specification defines them (only the
/// operators the exporter uses), so that `swift test` checks what the graph computes without onnxruntime.
struct ONNXReferenceInterpreter {
    private enum Value {
        case floats(Tensor)
        case integers([Int])
    }

    let model: Onnx_ModelProto

    /// The graph's outputs for `pixels`, by name.
    func run(pixels: Tensor) throws -> [String: Tensor] {
        var values: [String: Value] = [model.graph.input[0].name: .floats(pixels)]
        for initializer in model.graph.initializer {
            if initializer.dataType == Int32(Onnx_TensorProto.DataType.int64.rawValue) {
                values[initializer.name] = .integers(initializer.int64Data.map(Int.init))
            } else {
                let scalars = initializer.rawData.withUnsafeBytes { raw in
                    (0..<(raw.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) }
                }
                values[initializer.name] = .floats(Tensor(shape: initializer.dims.map(Int.init), scalars: scalars))
            }
        }
        for node in model.graph.node {
            let inputs = try node.input.map { name in try XCTUnwrap(values[name], "\(node.name) reads \(name), which is not there") }
            let attributes = Dictionary(uniqueKeysWithValues: node.attribute.map { ($0.name, $0) })
            func float(_ index: Int) throws -> Tensor {
                guard case let .floats(tensor) = inputs[index] else { throw ONNXTestError("\(node.name): input \(index) is not float") }
                return tensor
            }
            func integers(_ index: Int) throws -> [Int] {
                guard case let .integers(list) = inputs[index] else { throw ONNXTestError("\(node.name): input \(index) is not int64") }
                return list
            }
            let result: Value
            switch node.opType {
            case "Sub": result = .floats(try broadcast(try float(0), try float(1), -))
            case "Div": result = .floats(try broadcast(try float(0), try float(1), /))
            case "Relu": result = .floats(RectifiedLinear.forward(try float(0)))
            case "Identity": result = inputs[0]
            case "Sum":
                var sum = try float(0)
                for index in 1..<inputs.count { try sum.add(try float(index)) }
                result = .floats(sum)
            case "Conv":
                let weight = try float(1), kernel = attributes["kernel_shape"]?.ints.map(Int.init) ?? []
                XCTAssertEqual(attributes["strides"]?.ints, [1, 1])
                let pads = attributes["pads"]?.ints.map(Int.init) ?? [0, 0, 0, 0]
                XCTAssertEqual(Set(pads).count, 1, "asymmetric padding")
                let geometry = ConvolutionGeometry(inputChannels: weight.shape[1], outputChannels: weight.shape[0], kernelSize: kernel[0], padding: pads[0])
                result = .floats(try Convolution2D.forward(input: try float(0), weight: weight, bias: inputs.count > 2 ? try float(2) : nil,
                                                           geometry: geometry, algorithm: .im2col))
            case "Gemm":
                XCTAssertEqual(attributes["transB"]?.i, 1)
                let x = try float(0), weight = try float(1)
                let (batch, outputs, features) = (x.shape[0], weight.shape[0], weight.shape[1])
                let bias = inputs.count > 2 ? try float(2) : Tensor(zeros: [outputs])
                result = .floats(Tensor(shape: [batch, outputs]) { index in
                    let (n, o) = (index / outputs, index % outputs)
                    return (0..<features).reduce(bias[flat: o]) { $0 + x[flat: n * features + $1] * weight[flat: o * features + $1] }
                })
            case "MaxPool":
                XCTAssertEqual(attributes["kernel_shape"]?.ints, [2, 2])
                XCTAssertEqual(attributes["strides"]?.ints, [2, 2])
                result = .floats(try MaxPooling2D.forward(input: try float(0), geometry: PoolingGeometry(kernelSize: 2, stride: 2)).output)
            case "GlobalAveragePool":
                let pooled = try GlobalAveragePooling.forward(input: try float(0))
                result = .floats(try pooled.reshaped(pooled.shape + [1, 1]))
            case "Flatten":
                XCTAssertEqual(attributes["axis"]?.i, 1)
                let x = try float(0)
                result = .floats(try x.reshaped([x.shape[0], x.count / x.shape[0]]))
            case "Shape": result = .integers(try float(0).shape)
            case "Slice":
                let (list, start, end) = (try integers(0), try integers(1)[0], try integers(2)[0])
                result = .integers(Array(list[start..<end]))
            case "Concat": result = .integers(try (0..<inputs.count).flatMap { try integers($0) })
            case "Expand":
                let value = try float(0), shape = try integers(1)
                XCTAssertEqual(value.shape[0], 1)
                result = .floats(Tensor(shape: shape) { value[flat: $0 % value.count] })
            default:
                throw ONNXTestError("the exporter does not use \(node.opType)")
            }
            values[node.output[0]] = result
        }
        var outputs: [String: Tensor] = [:]
        for output in model.graph.output {
            guard case let .floats(tensor)? = values[output.name] else { throw ONNXTestError("no output \(output.name)") }
            outputs[output.name] = tensor
        }
        return outputs
    }

    /// `a op b` with `b` of shape `[1, C, 1, 1]` or `[1, C]` broadcast over `a`.
    private func broadcast(_ a: Tensor, _ b: Tensor, _ operation: (Float, Float) -> Float) throws -> Tensor {
        guard b.shape.count == a.shape.count, b.shape[0] == 1, b.shape[1] == a.shape[1], b.shape.dropFirst(2).allSatisfy({ $0 == 1 }) else {
            throw ONNXTestError("cannot broadcast \(b.shape) over \(a.shape)")
        }
        let plane = a.shape.dropFirst(2).reduce(1, *)
        return Tensor(shape: a.shape) { operation(a[flat: $0], b[flat: ($0 / plane) % a.shape[1]]) }
    }
}

struct ONNXTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
