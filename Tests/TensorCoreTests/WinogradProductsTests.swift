@testable import TensorCore
import XCTest

/// The Winograd products on every path this CPU runs, as chosen (kernel or BLAS) and always by the kernels, against
/// sums written out here. The operands are small
/// integers, so every sum is exact in Float whatever its order and with or without fused multiply-adds: each path
/// must give the reference's values exactly.
final class WinogradProductsTests: XCTestCase {
    /// (m, n, k): one element; rows past the register blocks of 8, 6, 4 and 2 rows; columns in whole blocks of 32
    /// and 16, a lone 16-column vector after them, and fewer than 16 left over; a single step, sums read in place
    /// (up to 16 rows of b) and from copied panels, of one copy and of two (past 128 rows).
    private let cases = [(1, 1, 1), (3, 17, 5), (4, 16, 16), (5, 33, 7), (7, 15, 3), (8, 32, 16), (9, 48, 2),
                         (13, 70, 9), (17, 90, 13), (16, 256, 16), (6, 49, 17), (9, 40, 33), (5, 21, 140)]
    /// Floats after the products that must stay untouched.
    private let guardCount = 16

    func testEveryPathGivesTheExactProductsOfEveryPosition() {
        var rng = RandomGenerator(seed: 23)
        let positions = WinogradTransform.positions
        for path in KernelPath.allCases where path.isSupported {
            for (m, n, k) in cases {
                for (transposeA, kernel) in [(false, false), (true, false), (false, true), (true, true)] {
                    let a = (0..<positions * m * k).map { _ in Float(rng.nextIndex(below: 17)) - 8 }
                    let b = (0..<positions * k * n).map { _ in Float(rng.nextIndex(below: 17)) - 8 }
                    var c = [Float](repeating: .nan, count: positions * m * n + guardCount)
                    if kernel {
                        WinogradProducts.kernelMultiply(a, transposeA: transposeA, b, into: &c, m: m, n: n, k: k, path: path)
                    } else {
                        WinogradProducts.multiply(a, transposeA: transposeA, b, into: &c, m: m, n: n, k: k, path: path)
                    }
                    var expected = [Float](repeating: .nan, count: c.count)
                    for e in 0..<positions {
                        for i in 0..<m {
                            for j in 0..<n {
                                var sum: Float = 0
                                for p in 0..<k {
                                    let left = a[e * m * k + (transposeA ? p * m + i : i * k + p)]
                                    sum += left * b[e * k * n + p * n + j]
                                }
                                expected[e * m * n + i * n + j] = sum
                            }
                        }
                    }
                    let label = "\(path) m \(m) n \(n) k \(k) transposeA \(transposeA) kernel \(kernel)"
                    XCTAssertEqual(c.prefix(positions * m * n), expected.prefix(positions * m * n), label)
                    XCTAssertTrue(c.suffix(guardCount).allSatisfy(\.isNaN), "wrote past the products: \(label)")
                }
            }
        }
    }
}
