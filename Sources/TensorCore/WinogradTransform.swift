import CConvolution

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

    // MARK: Data

    /// The instruction set the data transforms run with unless told otherwise: ``KernelPath/current()``, or the
    /// widest this CPU runs when `ILNAS_KERNELS` is invalid (the direct kernels report that). Every path gives the
    /// same bits: the transforms only add and subtract, in the same order.
    static let defaultPath: KernelPath = (try? KernelPath.current()) ?? KernelPath.allCases.last { $0.isSupported } ?? .portable

    /// `V = Bᵀ d B` for every 4x4 tile (stride 2) of every channel of one padded image
    /// `[channels, 2·tileRows + 2, 2·tileColumns + 2]`, written at tile offset 0 of `v`
    /// (position-major, `tileCount` tiles per row of `v`).
    /// `rows` is scratch memory of ``rowScratchSize(tileRows:tileColumns:)`` floats.
    static func input(_ padded: UnsafePointer<Float>, channels: Int, tileRows: Int, tileColumns: Int,
                      rows: UnsafeMutablePointer<Float>, into v: UnsafeMutablePointer<Float>, tileCount: Int,
                      path: KernelPath = defaultPath) {
        ilnas_winograd_input(path.cPath, padded, channels, tileRows, tileColumns, rows, v, tileCount)
    }

    /// Floats of the scratch memory the data transforms need (the most the input transform needs).
    static func rowScratchSize(tileRows: Int, tileColumns: Int) -> Int {
        4 * (2 * tileRows + 2) * tileColumns
    }

    /// The adjoint of ``input(_:channels:tileRows:tileColumns:rows:into:tileCount:path:)``: writes `B dV Bᵀ` of every
    /// tile of one image's transformed gradient `dv`, summed where tiles overlap, into the padded image gradient
    /// `[channels, 2·tileRows + 2, 2·tileColumns + 2]`, overwriting it.
    static func inputGradient(_ dv: UnsafePointer<Float>, channels: Int, tileRows: Int, tileColumns: Int, tileCount: Int,
                              rows: UnsafeMutablePointer<Float>, into paddedGradient: UnsafeMutablePointer<Float>,
                              path: KernelPath = defaultPath) {
        ilnas_winograd_input_gradient(path.cPath, dv, channels, tileRows, tileColumns, tileCount, rows, paddedGradient)
    }

    /// `y = Aᵀ m A` for every tile of one image's products `m` `[16, outputs, tileCount]` (tile offset 0), plus
    /// `bias`, written as the image `[outputs, 2·tileRows, 2·tileColumns]`, overwriting it. `rows` is scratch memory
    /// of ``rowScratchSize(tileRows:tileColumns:)`` floats.
    static func output(_ m: UnsafePointer<Float>, outputs: Int, tileRows: Int, tileColumns: Int, tileCount: Int,
                       bias: UnsafePointer<Float>?, rows: UnsafeMutablePointer<Float>, into y: UnsafeMutablePointer<Float>,
                       path: KernelPath = defaultPath) {
        ilnas_winograd_output(path.cPath, m, outputs, tileRows, tileColumns, tileCount, bias, rows, y)
    }

    /// The adjoint of ``output(_:outputs:tileRows:tileColumns:tileCount:bias:rows:into:path:)``: `dM = A dY Aᵀ` for every tile
    /// of one image's output gradient `[outputs, 2·tileRows, 2·tileColumns]`, written at tile offset 0 of `dm`.
    /// `rows` is scratch memory of ``rowScratchSize(tileRows:tileColumns:)`` floats.
    static func outputGradient(_ dy: UnsafePointer<Float>, outputs: Int, tileRows: Int, tileColumns: Int, tileCount: Int,
                               rows: UnsafeMutablePointer<Float>, into dm: UnsafeMutablePointer<Float>,
                               path: KernelPath = defaultPath) {
        ilnas_winograd_output_gradient(path.cPath, dy, outputs, tileRows, tileColumns, tileCount, rows, dm)
    }
}
