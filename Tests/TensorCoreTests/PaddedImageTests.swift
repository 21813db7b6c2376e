import CConvolution
import Glibc
@testable import TensorCore
import XCTest

/// The zero-bordered image copies the direct kernels and the implicit GEMM read, and the row copy that fills them.
final class PaddedImageTests: XCTestCase {
    private var paths: [KernelPath] { KernelPath.allCases.filter(\.isSupported) }

    /// Every width from 1 to 40 floats (whole vectors and every partial one on each vector path), rows apart by more
    /// than their width on both sides: each row arrives exactly and nothing between or after the rows is written. The
    /// source ends where an unreadable page begins, so a read past its last float stops the test.
    func testCopyRowsCopiesEveryRowExactlyAndTouchesNothingElse() throws {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let region = try XCTUnwrap(mmap(nil, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0))
        XCTAssertNotEqual(region, MAP_FAILED)
        defer { munmap(region, 2 * page) }
        XCTAssertEqual(mprotect(region + page, page, PROT_NONE), 0)
        for path in paths {
            for width in 1...40 {
                let rows = 3, sourceStride = width + 5, destinationStride = width + 7
                let count = (rows - 1) * sourceStride + width
                let source = (region + page).assumingMemoryBound(to: Float.self) - count
                for i in 0..<count { source[i] = Float(i) + 0.5 }
                var destination = [Float](repeating: -1, count: rows * destinationStride + 16)
                destination.withUnsafeMutableBufferPointer { d in
                    ilnas_copy_rows(path.cPath, source, sourceStride, d.baseAddress!, destinationStride, rows, width)
                }
                for index in destination.indices {
                    let (row, column) = index.quotientAndRemainder(dividingBy: destinationStride)
                    let expected = row < rows && column < width ? source[row * sourceStride + column] : -1
                    XCTAssertEqual(destination[index], expected, "\(path) width \(width) index \(index)")
                }
            }
        }
    }

    /// The interior holds the image, channel by channel, the borders stay zero, and filling again with another image
    /// overwrites the whole interior.
    func testFillWritesTheInteriorAndKeepsTheBorderZero() {
        let image = PaddedImage(channels: 2, height: 3, width: 19, border: 2, horizontalBorder: 1)
        let first = (0..<2 * 3 * 19).map { Float($0 + 1) }, second = first.map { -$0 }
        for path in paths {
            var buffer = [Float](repeating: 7, count: image.size)
            buffer.withUnsafeMutableBufferPointer { b in
                image.clear(b.baseAddress!)
                first.withUnsafeBufferPointer { image.fill(b.baseAddress!, from: $0.baseAddress!, path: path) }
                second.withUnsafeBufferPointer { image.fill(b.baseAddress!, from: $0.baseAddress!, path: path) }
            }
            for index in buffer.indices {
                let (channel, offset) = index.quotientAndRemainder(dividingBy: image.plane)
                let (row, column) = offset.quotientAndRemainder(dividingBy: image.paddedWidth)
                let (h, w) = (row - image.border, column - image.horizontalBorder)
                let inside = channel < 2 && (0..<3).contains(h) && (0..<19).contains(w)
                XCTAssertEqual(buffer[index], inside ? second[(channel * 3 + h) * 19 + w] : 0, "\(path) index \(index)")
            }
        }
    }
}
