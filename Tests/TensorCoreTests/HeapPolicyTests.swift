import CHeap
import Foundation
import TensorCore
import XCTest

final class HeapPolicyTests: XCTestCase {
    /// A tensor larger than glibc's largest mapping threshold (32 MiB) comes from the heap, not from a mapping of its
    /// own, so that freeing and allocating it again every step costs no page faults.
    func testTensorAboveTheLargestMappingThresholdIsNotMappedOnItsOwn() throws {
        #if canImport(Glibc)
        let environment = ProcessInfo.processInfo.environment
        for variable in ["MALLOC_MMAP_THRESHOLD_", "MALLOC_MMAP_MAX_", "MALLOC_TRIM_THRESHOLD_"] where environment[variable] != nil {
            throw XCTSkip("\(variable) is set: the heap is tuned by the user")
        }
        _ = ComputeThreads.count
        let mappedBefore = mallinfo2().hblks
        let tensor = Tensor(zeros: [48 << 20 / MemoryLayout<Float>.stride])
        XCTAssertEqual(mallinfo2().hblks, mappedBefore, "a 48 MiB tensor was mapped on its own")
        XCTAssertEqual(tensor.scalars.last, 0)
        #else
        throw XCTSkip("the policy tunes glibc's heap")
        #endif
    }
}
