/// The tile transforms of Winograd's minimal filtering algorithm F(2x2, 3x3) (Lavin & Gray, 2016), and their
/// adjoints for the backward pass.
///
/// A 3x3 convolution maps each 4x4 input tile `d` to a 2x2 output tile `y = Aᵀ [(G g Gᵀ) ⊙ (Bᵀ d B)] A`.
/// Summed over input channels, the element-wise product becomes 16 GEMMs, one per tile position, with
/// 16 multiplies per 2x2 outputs instead of 36: 2.25 times fewer than im2col.
///
/// Transformed data is stored position-major: the value of position `e` (`4·row + column` of the 4x4 tile),
/// channel `c` and tile `t` of a group of `tileCount` tiles lies at `(e · channels + c) · tileCount + t`,
/// so that each position is a `[channels, tileCount]` matrix. Tiles run row by row over an image's
/// `tileRows x tileColumns` tiles, and image after image.
enum WinogradTransform {
    /// Tile positions, 4x4.
    static let positions = 16

    // MARK: Weights

    /// `U = G g Gᵀ` for every 3x3 kernel of `weight` `[outputs, inputs, 3, 3]`, into `[16, outputs, inputs]`.
    static func weights(_ weight: UnsafePointer<Float>, outputs: Int, inputs: Int, into u: UnsafeMutablePointer<Float>) {
        let kernels = outputs * inputs
        for kernel in 0..<kernels {
            let g = weight + 9 * kernel
            // G applied down each kernel column gives a 4x3 matrix; G applied along its rows gives the 4x4 tile.
            let c0 = expand(g[0], g[3], g[6]), c1 = expand(g[1], g[4], g[7]), c2 = expand(g[2], g[5], g[8])
            @inline(__always) func storeRow(_ row: Int, _ p0: Float, _ p1: Float, _ p2: Float) {
                let (e0, e1, e2, e3) = expand(p0, p1, p2)
                u[(4 * row) * kernels + kernel] = e0
                u[(4 * row + 1) * kernels + kernel] = e1
                u[(4 * row + 2) * kernels + kernel] = e2
                u[(4 * row + 3) * kernels + kernel] = e3
            }
            storeRow(0, c0.0, c1.0, c2.0)
            storeRow(1, c0.1, c1.1, c2.1)
            storeRow(2, c0.2, c1.2, c2.2)
            storeRow(3, c0.3, c1.3, c2.3)
        }
    }

    /// Adds `Gᵀ dU G` of the transformed-weight gradient `dU` `[16, outputs, inputs]` onto `weightGradient`
    /// `[outputs, inputs, 3, 3]`: the adjoint of ``weights(_:outputs:inputs:into:)``.
    static func accumulateWeightGradient(_ du: UnsafePointer<Float>, outputs: Int, inputs: Int,
                                         into weightGradient: UnsafeMutablePointer<Float>) {
        let kernels = outputs * inputs
        for kernel in 0..<kernels {
            // Each row of the 4x4 gradient contracted to 3 values, then each of the 3 columns contracted down its 4 rows.
            @inline(__always) func contractedRow(_ row: Int) -> (Float, Float, Float) {
                contract(du[(4 * row) * kernels + kernel], du[(4 * row + 1) * kernels + kernel],
                         du[(4 * row + 2) * kernels + kernel], du[(4 * row + 3) * kernels + kernel])
            }
            let r0 = contractedRow(0), r1 = contractedRow(1), r2 = contractedRow(2), r3 = contractedRow(3)
            let column0 = contract(r0.0, r1.0, r2.0, r3.0), column1 = contract(r0.1, r1.1, r2.1, r3.1)
            let column2 = contract(r0.2, r1.2, r2.2, r3.2)
            let dg = weightGradient + 9 * kernel
            dg[0] += column0.0; dg[1] += column1.0; dg[2] += column2.0
            dg[3] += column0.1; dg[4] += column1.1; dg[5] += column2.1
            dg[6] += column0.2; dg[7] += column1.2; dg[8] += column2.2
        }
    }

    /// `G · (g0, g1, g2)` with `G = [[1, 0, 0], [½, ½, ½], [½, -½, ½], [0, 0, 1]]`.
    @inline(__always)
    private static func expand(_ g0: Float, _ g1: Float, _ g2: Float) -> (Float, Float, Float, Float) {
        (g0, 0.5 * (g0 + g1 + g2), 0.5 * (g0 - g1 + g2), g2)
    }

    /// `Gᵀ · (h0, h1, h2, h3)`, the adjoint of `expand`.
    @inline(__always)
    private static func contract(_ h0: Float, _ h1: Float, _ h2: Float, _ h3: Float) -> (Float, Float, Float) {
        (h0 + 0.5 * (h1 + h2), 0.5 * (h1 - h2), 0.5 * (h1 + h2) + h3)
    }

    // MARK: Input

    /// `V = Bᵀ d B` for every 4x4 tile (stride 2) of every channel of one padded image
    /// `[channels, 2·tileRows + 2, 2·tileColumns + 2]`, written at tile offset 0 of `v`
    /// (position-major, `tileCount` tiles per row of `v`).
    /// `rows` is scratch memory of ``rowScratchSize(tileRows:tileColumns:)`` floats.
    static func input(_ padded: UnsafePointer<Float>, channels: Int, tileRows: Int, tileColumns: Int,
                      rows: UnsafeMutablePointer<Float>, into v: UnsafeMutablePointer<Float>, tileCount: Int) {
        let paddedHeight = 2 * tileRows + 2, paddedWidth = 2 * tileColumns + 2, plane = paddedHeight * tileColumns
        let positionStride = channels * tileCount
        for channel in 0..<channels {
            // Along rows: each row's tiles (d0, d1, d2, d3) become (d0 - d2, d1 + d2, d2 - d1, d1 - d3), one plane each.
            let image = padded + channel * paddedHeight * paddedWidth
            for row in 0..<paddedHeight {
                let d = image + row * paddedWidth
                let t0 = rows + row * tileColumns, t1 = t0 + plane, t2 = t1 + plane, t3 = t2 + plane
                forEachBlock(tileColumns) { j, n in
                    let (d0, d1) = Lanes.loadPairs(d + 2 * j, n), (d2, d3) = Lanes.loadPairs(d + 2 * j + 2, n)
                    (d0 - d2).store(t0 + j, n)
                    (d1 + d2).store(t1 + j, n)
                    (d2 - d1).store(t2 + j, n)
                    (d1 - d3).store(t3 + j, n)
                }
            }
            // Down the columns, the same combination of rows 2i ... 2i + 3 gives tile row i of each position.
            for column in 0..<4 {
                for i in 0..<tileRows {
                    let r0 = UnsafePointer(rows + column * plane + 2 * i * tileColumns)
                    let r1 = r0 + tileColumns, r2 = r1 + tileColumns, r3 = r2 + tileColumns
                    let v0 = v + (column * channels + channel) * tileCount + i * tileColumns
                    let v1 = v0 + 4 * positionStride, v2 = v1 + 4 * positionStride, v3 = v2 + 4 * positionStride
                    forEachBlock(tileColumns) { j, n in
                        let a0 = Lanes.load(r0 + j, n), a1 = Lanes.load(r1 + j, n)
                        let a2 = Lanes.load(r2 + j, n), a3 = Lanes.load(r3 + j, n)
                        (a0 - a2).store(v0 + j, n)
                        (a1 + a2).store(v1 + j, n)
                        (a2 - a1).store(v2 + j, n)
                        (a1 - a3).store(v3 + j, n)
                    }
                }
            }
        }
    }

    /// Floats of the scratch memory ``input(_:channels:tileRows:tileColumns:rows:into:tileCount:)`` and
    /// ``inputGradient(_:channels:tileRows:tileColumns:tileCount:rows:into:)`` need.
    static func rowScratchSize(tileRows: Int, tileColumns: Int) -> Int {
        4 * (2 * tileRows + 2) * tileColumns
    }

    /// The adjoint of ``input(_:channels:tileRows:tileColumns:rows:into:tileCount:)``: writes `B dV Bᵀ` of every
    /// tile of one image's transformed gradient `dv`, summed where tiles overlap, into the padded image gradient
    /// `[channels, 2·tileRows + 2, 2·tileColumns + 2]`, overwriting it.
    ///
    /// The adjoint of `(d0 - d2, d1 + d2, d2 - d1, d1 - d3)` is `(u0, u1 - u2 + u3, -u0 + u1 + u2, -u3)`; tiles
    /// overlap by two, so element `2i` gathers the first of tile `i` and the third of tile `i - 1`, and element
    /// `2i + 1` the second of tile `i` and the fourth of tile `i - 1`.
    static func inputGradient(_ dv: UnsafePointer<Float>, channels: Int, tileRows: Int, tileColumns: Int, tileCount: Int,
                              rows: UnsafeMutablePointer<Float>, into paddedGradient: UnsafeMutablePointer<Float>) {
        let paddedHeight = 2 * tileRows + 2, paddedWidth = 2 * tileColumns + 2, plane = paddedHeight * tileColumns
        let positionStride = channels * tileCount
        for channel in 0..<channels {
            // Down the columns, into rows of per-tile values.
            for column in 0..<4 {
                let source = dv + (column * channels + channel) * tileCount
                for i in 0...tileRows {
                    let even = rows + column * plane + 2 * i * tileColumns, odd = even + tileColumns
                    let current = source + min(i, tileRows - 1) * tileColumns, previous = source + max(i - 1, 0) * tileColumns
                    let hasCurrent = i < tileRows, hasPrevious = i > 0
                    forEachBlock(tileColumns) { j, n in
                        var e = Lanes(), o = Lanes()
                        if hasCurrent {
                            let u1 = Lanes.load(current + positionStride * 4 + j, n), u2 = Lanes.load(current + positionStride * 8 + j, n)
                            e = Lanes.load(current + j, n)
                            o = u1 - u2 + Lanes.load(current + positionStride * 12 + j, n)
                        }
                        if hasPrevious {
                            let p1 = Lanes.load(previous + positionStride * 4 + j, n), p2 = Lanes.load(previous + positionStride * 8 + j, n)
                            e += p1 + p2 - Lanes.load(previous + j, n)
                            o -= Lanes.load(previous + positionStride * 12 + j, n)
                        }
                        e.store(even + j, n)
                        o.store(odd + j, n)
                    }
                }
            }
            // Along the rows: first each tile's own elements, then its neighbour's share added two elements on.
            let image = paddedGradient + channel * paddedHeight * paddedWidth
            for row in 0..<paddedHeight {
                let t0 = UnsafePointer(rows + row * tileColumns), t1 = t0 + plane, t2 = t1 + plane, t3 = t2 + plane
                let line = image + row * paddedWidth
                forEachBlock(tileColumns) { j, n in
                    let u0 = Lanes.load(t0 + j, n), u1 = Lanes.load(t1 + j, n), u2 = Lanes.load(t2 + j, n), u3 = Lanes.load(t3 + j, n)
                    Lanes.storePairs(u0, u1 - u2 + u3, line + 2 * j, n)
                }
                line[2 * tileColumns] = 0
                line[2 * tileColumns + 1] = 0
                forEachBlock(tileColumns) { j, n in
                    let u0 = Lanes.load(t0 + j, n), u1 = Lanes.load(t1 + j, n), u2 = Lanes.load(t2 + j, n), u3 = Lanes.load(t3 + j, n)
                    let (even, odd) = Lanes.loadPairs(line + 2 * j + 2, n)
                    Lanes.storePairs(even + u1 + u2 - u0, odd - u3, line + 2 * j + 2, n)
                }
            }
        }
    }

    // MARK: Output

    /// `y = Aᵀ m A` for every tile of one image's products `m` `[16, outputs, tileCount]` (tile offset 0), plus
    /// `bias`, written as the image `[outputs, 2·tileRows, 2·tileColumns]`, overwriting it.
    static func output(_ m: UnsafePointer<Float>, outputs: Int, tileRows: Int, tileColumns: Int, tileCount: Int,
                       bias: UnsafePointer<Float>?, into y: UnsafeMutablePointer<Float>) {
        let positionStride = outputs * tileCount, width = 2 * tileColumns
        for channel in 0..<outputs {
            let shift = Lanes(repeating: bias?[channel] ?? 0)
            for i in 0..<tileRows {
                let source = m + channel * tileCount + i * tileColumns
                let top = y + (channel * 2 * tileRows + 2 * i) * width, bottom = top + width
                forEachBlock(tileColumns) { j, n in
                    // Down each column: (m0 + m1 + m2, m1 - m2 - m3); then the same along the two rows.
                    @inline(__always) func column(_ b: Int) -> (upper: Lanes, lower: Lanes) {
                        let m0 = Lanes.load(source + b * positionStride + j, n), m1 = Lanes.load(source + (4 + b) * positionStride + j, n)
                        let m2 = Lanes.load(source + (8 + b) * positionStride + j, n), m3 = Lanes.load(source + (12 + b) * positionStride + j, n)
                        return (m0 + m1 + m2, m1 - m2 - m3)
                    }
                    let c0 = column(0), c1 = column(1), c2 = column(2), c3 = column(3)
                    Lanes.storePairs(c0.upper + c1.upper + c2.upper + shift, c1.upper - c2.upper - c3.upper + shift, top + 2 * j, n)
                    Lanes.storePairs(c0.lower + c1.lower + c2.lower + shift, c1.lower - c2.lower - c3.lower + shift, bottom + 2 * j, n)
                }
            }
        }
    }

    /// The adjoint of ``output(_:outputs:tileRows:tileColumns:tileCount:bias:into:)``: `dM = A dY Aᵀ` for every tile
    /// of one image's output gradient `[outputs, 2·tileRows, 2·tileColumns]`, written at tile offset 0 of `dm`.
    static func outputGradient(_ dy: UnsafePointer<Float>, outputs: Int, tileRows: Int, tileColumns: Int, tileCount: Int,
                               into dm: UnsafeMutablePointer<Float>) {
        let positionStride = outputs * tileCount, width = 2 * tileColumns
        for channel in 0..<outputs {
            for i in 0..<tileRows {
                let top = dy + (channel * 2 * tileRows + 2 * i) * width, bottom = top + width
                let target = dm + channel * tileCount + i * tileColumns
                forEachBlock(tileColumns) { j, n in
                    let (y00, y01) = Lanes.loadPairs(top + 2 * j, n), (y10, y11) = Lanes.loadPairs(bottom + 2 * j, n)
                    // Along rows: (y0, y0 + y1, y0 - y1, -y1); then the same down the columns of the two rows.
                    @inline(__always) func store(_ upper: Lanes, _ lower: Lanes, column: Int) {
                        upper.store(target + column * positionStride + j, n)
                        (upper + lower).store(target + (4 + column) * positionStride + j, n)
                        (upper - lower).store(target + (8 + column) * positionStride + j, n)
                        (-lower).store(target + (12 + column) * positionStride + j, n)
                    }
                    store(y00, y10, column: 0)
                    store(y00 + y01, y10 + y11, column: 1)
                    store(y00 - y01, y10 - y11, column: 2)
                    store(-y01, -y11, column: 3)
                }
            }
        }
    }

    // MARK: Vector blocks

    /// Eight tiles at a time.
    typealias Lanes = SIMD8<Float>

    /// Calls `body(first, count)` for consecutive blocks of up to 8 of `total` tiles.
    @inline(__always)
    private static func forEachBlock(_ total: Int, _ body: (_ first: Int, _ count: Int) -> Void) {
        var first = 0
        while first < total {
            body(first, min(8, total - first))
            first += 8
        }
    }
}

extension SIMD8 where Scalar == Float {
    /// `count` (at most 8) floats from `source`; the lanes beyond are zero.
    @inline(__always)
    static func load(_ source: UnsafePointer<Float>, _ count: Int) -> Self {
        if count == 8 { return UnsafeRawPointer(source).loadUnaligned(as: Self.self) }
        if count >= 4 { return Self(lowHalf: .load(source, 4), highHalf: .load(source + 4, count - 4)) }
        return Self(lowHalf: .load(source, count), highHalf: .zero)
    }

    /// The first `count` (at most 8) lanes, written to `destination`.
    @inline(__always)
    func store(_ destination: UnsafeMutablePointer<Float>, _ count: Int) {
        if count == 8 {
            UnsafeMutableRawPointer(destination).storeBytes(of: self, as: Self.self)
        } else if count >= 4 {
            lowHalf.store(destination, 4)
            highHalf.store(destination + 4, count - 4)
        } else {
            lowHalf.store(destination, count)
        }
    }

    /// `2·count` interleaved floats from `source` (`count` at most 8): elements `0, 2, 4, …` and `1, 3, 5, …`.
    @inline(__always)
    static func loadPairs(_ source: UnsafePointer<Float>, _ count: Int) -> (even: Self, odd: Self) {
        if count == 8 {
            let pairs = UnsafeRawPointer(source).loadUnaligned(as: SIMD16<Float>.self)
            return (pairs.evenHalf, pairs.oddHalf)
        }
        let first = Self.load(source, Swift.min(8, 2 * count)), rest = Self.load(source + 8, Swift.max(0, 2 * count - 8))
        return (Self(lowHalf: first.evenHalf, highHalf: rest.evenHalf), Self(lowHalf: first.oddHalf, highHalf: rest.oddHalf))
    }

    /// Writes the first `count` lanes of `even` and `odd` interleaved: `2·count` floats at `destination`.
    @inline(__always)
    static func storePairs(_ even: Self, _ odd: Self, _ destination: UnsafeMutablePointer<Float>, _ count: Int) {
        var pairs = SIMD16<Float>()
        pairs.evenHalf = even
        pairs.oddHalf = odd
        if count == 8 {
            UnsafeMutableRawPointer(destination).storeBytes(of: pairs, as: SIMD16<Float>.self)
            return
        }
        pairs.lowHalf.store(destination, Swift.min(8, 2 * count))
        pairs.highHalf.store(destination + 8, Swift.max(0, 2 * count - 8))
    }
}

extension SIMD4 where Scalar == Float {
    /// `count` (at most 4) floats from `source`, read lane by lane at constant positions; the lanes beyond are zero.
    @inline(__always)
    static func load(_ source: UnsafePointer<Float>, _ count: Int) -> Self {
        switch count {
        case 4: return UnsafeRawPointer(source).loadUnaligned(as: Self.self)
        case 3: return Self(source[0], source[1], source[2], 0)
        case 2: return Self(source[0], source[1], 0, 0)
        case 1: return Self(source[0], 0, 0, 0)
        default: return .zero
        }
    }

    /// The first `count` (at most 4) lanes, written to `destination`.
    @inline(__always)
    func store(_ destination: UnsafeMutablePointer<Float>, _ count: Int) {
        switch count {
        case 4: UnsafeMutableRawPointer(destination).storeBytes(of: self, as: Self.self)
        case 3: destination[0] = self[0]; destination[1] = self[1]; destination[2] = self[2]
        case 2: destination[0] = self[0]; destination[1] = self[1]
        case 1: destination[0] = self[0]
        default: break
        }
    }
}
