/// Maps a data interval linearly onto a drawing interval (which may run backwards, as SVG's y axis does).
public struct LinearScale: Equatable {
    public let domain: ClosedRange<Double>
    /// Where `domain.lowerBound` and `domain.upperBound` land.
    public let start: Double
    public let end: Double

    public init(domain: ClosedRange<Double>, start: Double, end: Double) {
        self.domain = domain
        self.start = start
        self.end = end
    }

    /// The drawing coordinate of `value`.
    public func callAsFunction(_ value: Double) -> Double {
        let span = domain.upperBound - domain.lowerBound
        guard span > 0 else { return (start + end) / 2 }
        return start + (value - domain.lowerBound) / span * (end - start)
    }
}
