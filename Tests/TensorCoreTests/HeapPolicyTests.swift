import CHeap
import Foundation
@testable import TensorCore
import XCTest

final class HeapPolicyTests: XCTestCase {
    /// A tensor larger than glibc's largest mapping threshold (32 MiB) comes from the heap, not from a mapping of its
    /// own, so that freeing and allocating it again every step costs no page faults.
    func testTensorAboveTheLargestMappingThresholdIsNotMappedOnItsOwn() throws {
        try skipUnlessPolicyApplies()
        let mappedBefore = mallinfo2().hblks
        let tensor = Tensor(zeros: [48 << 20 / MemoryLayout<Float>.stride])
        XCTAssertEqual(mallinfo2().hblks, mappedBefore, "a 48 MiB tensor was mapped on its own")
        XCTAssertEqual(tensor.scalars.last, 0)
    }

    /// Freed heap memory below a live allocation stays resident until ``HeapPolicy/releaseFreeMemory()`` hands it back.
    func testReleaseFreeMemoryHandsBackFreedHeapMemory() throws {
        try skipUnlessPolicyApplies()
        let bytes = 96 << 20
        var large: Tensor? = Tensor(repeating: 1, shape: [bytes / MemoryLayout<Float>.stride])
        let live = Tensor(repeating: 2, shape: [16])   // allocated after it: the heap cannot shrink past it
        XCTAssertEqual(large?.scalars.last, 1)
        large = nil
        let before = try residentBytes()
        HeapPolicy.releaseFreeMemory()
        let after = try residentBytes()
        XCTAssertGreaterThan(before - after, bytes / 2, "resident \(before) bytes before, \(after) after")
        XCTAssertEqual(live.scalars.first, 2)
    }

    func testUserTuningOfGlibcIsRecognised() {
        XCTAssertFalse(HeapPolicy.isTunedByUser(environment: [:]))
        XCTAssertFalse(HeapPolicy.isTunedByUser(environment: ["GLIBC_TUNABLES": "glibc.cpu.hwcaps=-AVX512F"]))
        XCTAssertTrue(HeapPolicy.isTunedByUser(environment: ["MALLOC_MMAP_MAX_": "0"]))
        XCTAssertTrue(HeapPolicy.isTunedByUser(environment: ["MALLOC_TRIM_THRESHOLD_": "1"]))
        XCTAssertTrue(HeapPolicy.isTunedByUser(environment: ["GLIBC_TUNABLES": "glibc.malloc.mmap_threshold=65536"]))
        XCTAssertTrue(HeapPolicy.isTunedByUser(environment: ["GLIBC_TUNABLES": "a=1:glibc.malloc.trim_threshold=1"]))
    }

    private func skipUnlessPolicyApplies() throws {
        #if canImport(Glibc)
        if HeapPolicy.isTunedByUser(environment: ProcessInfo.processInfo.environment) {
            throw XCTSkip("glibc's heap is tuned by the user")
        }
        _ = ComputeThreads.count
        #else
        throw XCTSkip("the policy tunes glibc's heap")
        #endif
    }

    /// The process's resident memory, from `/proc/self/statm`.
    private func residentBytes() throws -> Int {
        let fields = try String(contentsOfFile: "/proc/self/statm", encoding: .utf8).split(separator: " ")
        let pages = try XCTUnwrap(Int(fields[1]))
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
