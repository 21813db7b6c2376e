import Foundation

/// Round tick values for a numeric axis: steps of 1, 2 or 5 times a power of ten, and an axis range that starts
/// and ends on a tick and covers the data.
public struct AxisTicks: Equatable {
    /// The first and last tick: the axis range.
    public let lower: Double
    public let upper: Double
    /// The distance between neighbouring ticks.
    public let step: Double

    /// Ticks covering `minimum...maximum` with about `count` intervals. A single value (or no finite value) gets a
    /// range around it, so that the axis never has zero length.
    public init(covering minimum: Double, _ maximum: Double, count: Int = 5) {
        var low = minimum, high = maximum
        if !low.isFinite || !high.isFinite || low > high { (low, high) = (0, 1) }
        if low == high {
            let padding = low == 0 ? 1 : abs(low) * 0.1
            (low, high) = (low - padding, high + padding)
        }
        let rough = (high - low) / Double(max(1, count))
        let magnitude = pow(10, (log10(rough)).rounded(.down))
        let residual = rough / magnitude
        let multiple: Double = residual <= 1 ? 1 : residual <= 2 ? 2 : residual <= 5 ? 5 : 10
        step = multiple * magnitude
        lower = (low / step).rounded(.down) * step
        upper = (high / step).rounded(.up) * step
    }

    /// The tick values from ``lower`` to ``upper``.
    public var values: [Double] {
        let intervals = Int(((upper - lower) / step).rounded())
        return (0...intervals).map { lower + Double($0) * step }
    }

    /// The label of tick `value`: thousands as `k` and millions as `M` once the axis reaches 10,000, with as many
    /// decimals as the step needs (`0.25`, `2.5k`); zero is `0` on every axis.
    public func label(_ value: Double) -> String {
        if abs(value) < step * 1e-9 { return "0" }
        let largest = max(abs(lower), abs(upper))
        let divisor: Double = largest >= 10_000_000 ? 1_000_000 : largest >= 10_000 ? 1_000 : 1
        let suffix = divisor == 1_000_000 ? "M" : divisor == 1_000 ? "k" : ""
        return NumberText.trimmed(value / divisor, decimals: Self.decimals(of: step / divisor)) + suffix
    }

    /// The decimals that write every multiple of `step` exactly (at most 6).
    private static func decimals(of step: Double) -> Int {
        (0...6).first { decimals in
            let scaled = step * pow(10, Double(decimals))
            return abs(scaled - scaled.rounded()) < 1e-6 * max(1, scaled)
        } ?? 6
    }
}
