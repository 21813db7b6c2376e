import Foundation
@testable import ilnas
import TensorCore
import XCTest

/// The status a stopped data-parallel run exits with is the same on every rank, including ranks that received no signal.
final class StopSignalTests: XCTestCase {
    /// One rank among others whose sums it adds to its own, counting its collective calls.
    private final class RankAmongPeers: Communicator {
        let peerValues: [Double]
        private(set) var sums = 0
        init(peerValues: [Double]) { self.peerValues = peerValues }
        var rank: Int { 1 }
        var size: Int { 3 }
        func allReduceSum(_ values: UnsafeMutableBufferPointer<Float>) throws { XCTFail("no float sum expected") }
        func allReduceSum(_ values: UnsafeMutableBufferPointer<Double>) throws {
            sums += 1
            for (index, value) in peerValues.enumerated() { values[index] += value }
        }
        func allAgree(on value: UInt64) throws -> Bool { XCTFail("no agreement expected"); return true }
    }

    /// What a rank that received `local` reports when the two other ranks received `peers`.
    private func agreed(_ local: Int32?, peers: [Int32?]) throws -> Int32 {
        let rank = RankAmongPeers(peerValues: [Double(peers.filter { $0 == SIGINT }.count)])
        let signal = try StopSignal.agreed(local, across: rank)
        XCTAssertEqual(rank.sums, 1, "one collective call, which every rank makes at the same point")
        return signal
    }

    func testOneProcessReportsItsOwnSignalAndSIGTERMWithout() throws {
        XCTAssertEqual(try StopSignal.agreed(SIGINT, across: SingleProcess()), SIGINT)
        XCTAssertEqual(try StopSignal.agreed(SIGTERM, across: SingleProcess()), SIGTERM)
        XCTAssertEqual(try StopSignal.agreed(nil, across: SingleProcess()), SIGTERM)
    }

    func testARankWithoutASignalReportsTheOthersOne() throws {
        XCTAssertEqual(try agreed(nil, peers: [SIGINT, nil]), SIGINT)
        XCTAssertEqual(try agreed(nil, peers: [nil, SIGTERM]), SIGTERM)
        XCTAssertEqual(try agreed(SIGINT, peers: [nil, nil]), SIGINT)
    }

    func testMixedSignalsReportSIGINTOnEveryRank() throws {
        XCTAssertEqual(try agreed(SIGTERM, peers: [SIGINT, nil]), SIGINT)
        XCTAssertEqual(try agreed(SIGINT, peers: [SIGTERM, SIGTERM]), SIGINT)
        XCTAssertEqual(RunStopped(progress: .init(), checkpoint: nil, signal: SIGINT).exitStatus, 130)
        XCTAssertEqual(RunStopped(progress: .init(), checkpoint: nil, signal: SIGTERM).exitStatus, 143)
    }
}
