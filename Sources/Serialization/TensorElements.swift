/// The elements of a stored tensor in row-major order, held as an array of their own Swift type.
public enum TensorElements: Equatable, Sendable {
    /// `F32` elements.
    case float32([Float])
    /// `F64` elements.
    case float64([Double])
    /// `I64` elements.
    case int64([Int64])
    /// `U8` elements.
    case uint8([UInt8])
    /// `BOOL` elements.
    case bool([Bool])

    /// The safetensors element type of the array.
    public var elementType: ElementType {
        switch self {
        case .float32: .float32
        case .float64: .float64
        case .int64: .int64
        case .uint8: .uint8
        case .bool: .bool
        }
    }

    /// The number of elements.
    public var count: Int {
        switch self {
        case let .float32(values): values.count
        case let .float64(values): values.count
        case let .int64(values): values.count
        case let .uint8(values): values.count
        case let .bool(values): values.count
        }
    }
}
