import Foundation

/// A sequential colour scale from light to dark blue, for magnitudes: 0 is white, and a positive fraction of the
/// largest magnitude is interpolated in RGB from `#deebf7` (near 0) to `#08306b` (1).
public enum ColorRamp {
    private static let light: [Double] = [0xde, 0xeb, 0xf7], dark: [Double] = [0x08, 0x30, 0x6b]

    /// The colour of `fraction` (clamped to 0...1) as `#rrggbb`.
    public static func color(_ fraction: Double) -> String {
        guard fraction > 0 else { return "#ffffff" }
        let t = min(1, fraction)
        let channels = zip(light, dark).map { start, end in Int((start + (end - start) * t).rounded()) }
        return "#" + channels.map { String(format: "%02x", $0) }.joined()
    }

    /// Whether text on `fraction`'s colour should be white rather than dark to stay readable.
    public static func needsLightText(_ fraction: Double) -> Bool { fraction > 0.55 }
}
