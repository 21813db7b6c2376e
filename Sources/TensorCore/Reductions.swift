/// Vectorised sums over contiguous Float runs.
///
/// A plain `total += x[i]` loop cannot be vectorised (Float addition is not associative), so it
/// runs at about one element per cycle; two eight-lane accumulators run an order of magnitude faster.
enum Reduction {
    /// Σ `values[0..<count]`.
    @inline(__always)
    static func sum(_ values: UnsafePointer<Float>, _ count: Int) -> Float {
        let raw = UnsafeRawPointer(values)
        var first = SIMD8<Float>(repeating: 0), second = SIMD8<Float>(repeating: 0)
        var i = 0
        while i + 16 <= count {
            first += raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            second += raw.loadUnaligned(fromByteOffset: i * 4 + 32, as: SIMD8<Float>.self)
            i += 16
        }
        var total = (first + second).sum()
        while i < count {
            total += values[i]
            i += 1
        }
        return total
    }

    /// Σ (`values[i]` - `mean`)².
    @inline(__always)
    static func squaredDeviationSum(_ values: UnsafePointer<Float>, _ count: Int, from mean: Float) -> Float {
        let raw = UnsafeRawPointer(values)
        let center = SIMD8<Float>(repeating: mean)
        var first = SIMD8<Float>(repeating: 0), second = SIMD8<Float>(repeating: 0)
        var i = 0
        while i + 16 <= count {
            let a = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self) - center
            let b = raw.loadUnaligned(fromByteOffset: i * 4 + 32, as: SIMD8<Float>.self) - center
            first += a * a
            second += b * b
            i += 16
        }
        var total = (first + second).sum()
        while i < count {
            let deviation = values[i] - mean
            total += deviation * deviation
            i += 1
        }
        return total
    }

    /// Σ `a[i]` · (`b[i]` - `center`).
    @inline(__always)
    static func centeredDot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ count: Int, center: Float) -> Float {
        let rawA = UnsafeRawPointer(a), rawB = UnsafeRawPointer(b)
        let shift = SIMD8<Float>(repeating: center)
        var first = SIMD8<Float>(repeating: 0), second = SIMD8<Float>(repeating: 0)
        var i = 0
        while i + 16 <= count {
            first += rawA.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
                * (rawB.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self) - shift)
            second += rawA.loadUnaligned(fromByteOffset: i * 4 + 32, as: SIMD8<Float>.self)
                * (rawB.loadUnaligned(fromByteOffset: i * 4 + 32, as: SIMD8<Float>.self) - shift)
            i += 16
        }
        var total = (first + second).sum()
        while i < count {
            total += a[i] * (b[i] - center)
            i += 1
        }
        return total
    }
}
