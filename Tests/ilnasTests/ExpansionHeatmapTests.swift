import ArchitectureSearch
import Foundation
@testable import ilnas
import SVGCharts
import XCTest

/// The growth heatmap of a run: a row per label of the audit log, the final architecture's connections first, a
/// column per expansion, and each connection's final density after its row.
final class ExpansionHeatmapTests: XCTestCase {
    private func record(epoch: Double, added: [String: Int]) throws -> ExpansionRecord {
        let scores: [String: Any] = ["count": 0, "minimum": 0, "maximum": 0, "mean": 0]
        let fields: [String: Any] = [
            "epoch": epoch, "step": 10, "granularity": "kernel", "selection": "ilnas", "architectureLearningRate": 0.4,
            "targetParameters": 100, "usefulUnits": 5, "candidateUnits": 4, "candidateParameters": 200, "addedUnits": 2,
            "addedParameters": added.values.reduce(0, +), "zeroScoreUnits": 0, "outcome": "targetReached",
            "addedUnitsPerLayer": added.mapValues { _ in 1 }, "addedParametersPerLayer": added, "allScores": scores,
            "candidateScores": scores, "keptScores": scores, "parametersBefore": 100, "parametersAfter": 200, "budget": 1000,
            "budgetUsed": 0.2, "lossBefore": 1, "lossAfter": 1, "revivedChannels": 0, "seconds": 0.1,
        ]
        return try JSONDecoder().decode(ExpansionRecord.self, from: JSONSerialization.data(withJSONObject: fields))
    }

    func testRowsColumnsValuesAndFinalDensities() throws {
        let architecture = try JSONDecoder().decode(ArchitectureDescription.self, from: Data("""
            {"nodes": [
              {"id": 0, "kind": "input", "stage": 0, "realChannels": 1, "placeholders": 0, "presentBiases": 0},
              {"id": 1, "kind": "conv3x3", "stage": 0, "realChannels": 4, "placeholders": 1, "presentBiases": 4},
              {"id": 3, "kind": "conv3x3", "stage": 1, "realChannels": 8, "placeholders": 1, "presentBiases": 8}],
             "connections": [
              {"name": "edge2.weight", "source": 0, "target": 1, "shape": [5, 1, 3, 3], "presentEntries": 36, "presentKernels": 4},
              {"name": "edge4.weight", "source": 1, "target": 3, "shape": [9, 5, 3, 3], "presentEntries": 200, "presentKernels": 25}],
             "parameterCount": 248}
            """.utf8))
        let heatmap = Heatmap(expansions: [try record(epoch: 1, added: ["1->3": 100, "node3": 8]), try record(epoch: 2.5, added: ["1->3": 50, "0->1": 9])],
                              architecture: architecture)
        XCTAssertEqual(heatmap.rowLabels, ["0->1", "1->3", "node3"])
        XCTAssertEqual(heatmap.columnLabels, ["1", "2.5"])
        XCTAssertEqual(heatmap.values, [[0, 9], [100, 50], [8, 0]])
        // 4 x 1 and 8 x 4 pairs of real channels, 9 taps each: 36 and 288 entries.
        XCTAssertEqual(heatmap.rowNotes, ["final: 36 of 36 (100.0%)", "final: 200 of 288 (69.4%)", ""])
        XCTAssertEqual(heatmap.largestValue, 100)
    }
}
