@testable import TensorCore
import XCTest

/// The Winograd data transforms (C, one function per instruction set) on every path this CPU runs, against the
/// matrix definitions `Bᵀ d B`, `B dV Bᵀ`, `Aᵀ m A` and `A dY Aᵀ` evaluated tile by tile. The inputs are small
/// integers, so every sum is exact in Float whatever its order: each path must give the reference's values exactly.
final class WinogradTransformTests: XCTestCase {
    private static let bTransposed: [[Float]] = [[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]]
    private static let aTransposed: [[Float]] = [[1, 1, 1, 0], [0, 1, -1, -1]]

    /// (channels, tile rows, tile columns): one tile, rows of 1 to 17 tiles (vector tails of 16, 8 and 4 lanes and
    /// full vectors), several tile rows, and the 8x8, 16x16 and 32x32 images of CIFAR networks' later stages.
    private let cases = [(2, 1, 1), (1, 2, 3), (3, 3, 7), (2, 2, 8), (1, 1, 9), (2, 3, 16), (1, 2, 17), (3, 4, 4), (2, 8, 8),
                         (2, 16, 16)]
    /// Tiles of other images around this one's in a group: its tiles start at offset 0 of rows `extraTiles` longer.
    private let extraTiles = 5

    private var paths: [KernelPath] { KernelPath.allCases.filter(\.isSupported) }

    private func integers(_ count: Int, _ rng: inout RandomGenerator) -> [Float] {
        (0..<count).map { _ in Float(rng.nextIndex(below: 17)) - 8 }
    }

    /// `left · x · rightᵀ` for row-major `x` of `left`'s column count by `right`'s column count.
    private func sandwich(_ left: [[Float]], _ x: [[Float]], _ right: [[Float]]) -> [[Float]] {
        left.map { l in
            right.map { r in
                var total: Float = 0
                for i in l.indices { for j in r.indices { total += l[i] * x[i][j] * r[j] } }
                return total
            }
        }
    }

    /// Equal values, or NaN in both (entries the transforms must leave alone).
    private func same(_ a: [Float], _ b: [Float]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }
    }

    private func transposed(_ m: [[Float]]) -> [[Float]] {
        m[0].indices.map { j in m.map { $0[j] } }
    }

    func testInputAndItsAdjointMatchTheMatrixDefinitionOnEveryPath() {
        var rng = RandomGenerator(seed: 5)
        let bT = Self.bTransposed, b = transposed(bT)
        for (channels, tileRows, tileColumns) in cases {
            let height = 2 * tileRows + 2, width = 2 * tileColumns + 2, tileCount = tileRows * tileColumns + extraTiles
            let padded = integers(channels * height * width, &rng)
            let dv = integers(16 * channels * tileCount, &rng)
            var expectedV = [Float](repeating: .nan, count: 16 * channels * tileCount)
            var expectedGradient = [Float](repeating: 0, count: channels * height * width)
            for c in 0..<channels {
                for i in 0..<tileRows {
                    for j in 0..<tileColumns {
                        let tile = i * tileColumns + j
                        let d = (0..<4).map { r in (0..<4).map { s in padded[(c * height + 2 * i + r) * width + 2 * j + s] } }
                        let v = sandwich(bT, d, bT)
                        let gradientTile = (0..<4).map { r in (0..<4).map { s in dv[((4 * r + s) * channels + c) * tileCount + tile] } }
                        let back = sandwich(b, gradientTile, b)
                        for r in 0..<4 {
                            for s in 0..<4 {
                                expectedV[((4 * r + s) * channels + c) * tileCount + tile] = v[r][s]
                                expectedGradient[(c * height + 2 * i + r) * width + 2 * j + s] += back[r][s]
                            }
                        }
                    }
                }
            }
            for path in paths {
                var rows = [Float](repeating: .nan, count: WinogradTransform.rowScratchSize(tileRows: tileRows, tileColumns: tileColumns))
                var v = [Float](repeating: .nan, count: expectedV.count)
                var gradient = [Float](repeating: .nan, count: expectedGradient.count)
                WinogradTransform.input(padded, channels: channels, tileRows: tileRows, tileColumns: tileColumns,
                                        rows: &rows, into: &v, tileCount: tileCount, path: path)
                WinogradTransform.inputGradient(dv, channels: channels, tileRows: tileRows, tileColumns: tileColumns,
                                                tileCount: tileCount, rows: &rows, into: &gradient, path: path)
                // The other images' tiles stay untouched (NaN), as in the expectation.
                XCTAssertTrue(same(v, expectedV), "input \(channels)x\(tileRows)x\(tileColumns) \(path)")
                XCTAssertEqual(gradient, expectedGradient, "input gradient \(channels)x\(tileRows)x\(tileColumns) \(path)")
            }
        }
    }

    func testOutputAndItsAdjointMatchTheMatrixDefinitionOnEveryPath() {
        var rng = RandomGenerator(seed: 6)
        let aT = Self.aTransposed, a = transposed(aT)
        for (outputs, tileRows, tileColumns) in cases {
            let height = 2 * tileRows, width = 2 * tileColumns, tileCount = tileRows * tileColumns + extraTiles
            let m = integers(16 * outputs * tileCount, &rng), dy = integers(outputs * height * width, &rng)
            let bias = integers(outputs, &rng)
            var expectedY = [Float](repeating: 0, count: outputs * height * width), expectedUnbiased = expectedY
            var expectedDm = [Float](repeating: .nan, count: 16 * outputs * tileCount)
            for o in 0..<outputs {
                for i in 0..<tileRows {
                    for j in 0..<tileColumns {
                        let tile = i * tileColumns + j
                        let products = (0..<4).map { r in (0..<4).map { s in m[((4 * r + s) * outputs + o) * tileCount + tile] } }
                        let y = sandwich(aT, products, aT)
                        let gradientTile = (0..<2).map { r in (0..<2).map { s in dy[(o * height + 2 * i + r) * width + 2 * j + s] } }
                        let dm = sandwich(a, gradientTile, a)
                        for r in 0..<2 {
                            for s in 0..<2 {
                                expectedUnbiased[(o * height + 2 * i + r) * width + 2 * j + s] = y[r][s]
                                expectedY[(o * height + 2 * i + r) * width + 2 * j + s] = y[r][s] + bias[o]
                            }
                        }
                        for r in 0..<4 {
                            for s in 0..<4 { expectedDm[((4 * r + s) * outputs + o) * tileCount + tile] = dm[r][s] }
                        }
                    }
                }
            }
            for path in paths {
                var y = [Float](repeating: .nan, count: expectedY.count), unbiased = y
                var dm = [Float](repeating: .nan, count: expectedDm.count)
                var rows = [Float](repeating: .nan, count: WinogradTransform.rowScratchSize(tileRows: tileRows, tileColumns: tileColumns))
                WinogradTransform.output(m, outputs: outputs, tileRows: tileRows, tileColumns: tileColumns, tileCount: tileCount,
                                         bias: bias, rows: &rows, into: &y, path: path)
                WinogradTransform.output(m, outputs: outputs, tileRows: tileRows, tileColumns: tileColumns, tileCount: tileCount,
                                         bias: nil, rows: &rows, into: &unbiased, path: path)
                WinogradTransform.outputGradient(dy, outputs: outputs, tileRows: tileRows, tileColumns: tileColumns,
                                                 tileCount: tileCount, rows: &rows, into: &dm, path: path)
                XCTAssertEqual(y, expectedY, "output \(outputs)x\(tileRows)x\(tileColumns) \(path)")
                XCTAssertEqual(unbiased, expectedUnbiased, "output without bias \(outputs)x\(tileRows)x\(tileColumns) \(path)")
                XCTAssertTrue(same(dm, expectedDm), "output gradient \(outputs)x\(tileRows)x\(tileColumns) \(path)")
            }
        }
    }
}
