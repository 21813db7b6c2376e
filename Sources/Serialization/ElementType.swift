/// The element types this module reads and writes, with safetensors' `dtype` spellings as raw values.
///
/// These are the types a checkpoint needs: `Float` parameters, `Double` statistics, `Int64` counters,
/// bytes and architecture masks. Other safetensors dtypes (F16, BF16, I32, ...) are rejected as unknown.
public enum ElementType: String, CaseIterable, Sendable {
    /// 32-bit IEEE 754 floating point, the element type of `Tensor`.
    case float32 = "F32"
    /// 64-bit IEEE 754 floating point.
    case float64 = "F64"
    /// 64-bit signed integer.
    case int64 = "I64"
    /// 8-bit unsigned integer.
    case uint8 = "U8"
    /// Boolean, one byte per element: 0 for false, 1 for true.
    case bool = "BOOL"

    /// The number of bytes one element occupies in the data section.
    public var byteWidth: Int {
        switch self {
        case .float32: 4
        case .float64, .int64: 8
        case .uint8, .bool: 1
        }
    }
}
