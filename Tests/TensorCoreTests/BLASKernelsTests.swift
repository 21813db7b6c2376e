import XCTest
@testable import TensorCore

final class BLASKernelsTests: XCTestCase {
    private let avx512: Set<String> = ["sse3", "avx", "avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512dq"]
    private let avx2: Set<String> = ["sse3", "avx", "avx2", "fma"]

    func testGenericFallbackIsReplacedByTheWidestKernelsTheCPUSupports() {
        XCTAssertEqual(BLASKernels.preferredCore(current: "Prescott", cpuFlags: avx512), "SkylakeX")
        XCTAssertEqual(BLASKernels.preferredCore(current: "Prescott", cpuFlags: avx2), "Haswell")
        XCTAssertEqual(BLASKernels.preferredCore(current: "Nehalem", cpuFlags: avx2), "Haswell")
    }

    func testAChoiceThatAlreadyUsesAVX2IsKept() {
        XCTAssertNil(BLASKernels.preferredCore(current: "Zen", cpuFlags: avx2))
        XCTAssertNil(BLASKernels.preferredCore(current: "Haswell", cpuFlags: avx512))
        XCTAssertNil(BLASKernels.preferredCore(current: "SkylakeX", cpuFlags: avx512))
    }

    func testACPUWithoutAVX2KeepsWhatOpenBLASChose() {
        XCTAssertNil(BLASKernels.preferredCore(current: "Prescott", cpuFlags: ["sse3", "avx"]))
        XCTAssertNil(BLASKernels.preferredCore(current: "Prescott", cpuFlags: []))
    }

    func testKernelsInUseProduceCorrectProducts() {
        // Whatever kernels were selected, a GEMM must agree with a Double reference.
        var generator = RandomGenerator(seed: 3)
        let (m, n, k) = (37, 53, 29)
        let a = generator.normalTensor(shape: [m, k]), b = generator.normalTensor(shape: [k, n])
        var c = [Float](repeating: 0, count: m * n)
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                Gemm.multiply(a.baseAddress!, b.baseAddress!, into: &c, m: m, n: n, k: k)
            }
        }
        let (x, y) = (a.scalars, b.scalars)
        for i in 0..<m {
            for j in 0..<n {
                var reference = 0.0
                for l in 0..<k { reference += Double(x[i * k + l]) * Double(y[l * n + j]) }
                XCTAssertEqual(Double(c[i * n + j]), reference, accuracy: 1e-4)
            }
        }
        XCTAssertFalse(BLASKernels.coreName.isEmpty)
    }
}
