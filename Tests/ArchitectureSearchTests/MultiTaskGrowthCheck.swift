import ArchitectureSearch
import TensorCore
import Training
import XCTest

/// What the multi-task tests check of every growth, whatever the trunk: one expansion of a part changes no task's
/// output on the probes, and only entries nobody owned become the part's.
enum MultiTaskGrowthCheck {
    /// Each trunk entry's owner (`nil`: nobody's), by trunk parameter.
    static func ownership(_ model: MultiTaskNetwork) -> [[MultiTaskNetwork.Part?]] {
        model.trunkParameters.indices.map { index in
            (0..<model.trunkParameters[index].count).map { model.owner(ofEntry: $0, inTrunkParameter: index) }
        }
    }

    /// Expands `part` of `model` once at `granularity` up to `targetParameters`, scoring on the batches of
    /// `batches(task)` (both tasks' combined for the shared part), checks the two promises on `probes` (one batch per
    /// task), and returns the expansion's record.
    static func expand(_ model: MultiTaskNetwork, part: MultiTaskNetwork.Part, granularity: any SearchGranularity,
                       budgetMargin: Int, targetParameters: Int, probes: [LabeledBatch],
                       batches: (Int) -> [LabeledBatch], file: StaticString = #filePath, line: UInt = #line) throws -> ExpansionRecord {
        func outputs() throws -> [Tensor] {
            try probes.indices.map { task in
                try model.installView(task: task)
                defer { model.installUnion() }
                return try model.taskNetworks[task].forward(probes[task].inputs, mode: .inference)
            }
        }
        let before = try outputs()
        let owners = ownership(model)
        let space = try MultiTaskPartSpace(model: model, part: part)
        let optimizer = try ArchitectureOptimizer(budget: try SearchBudget(parameters: space.parameterCount + budgetMargin), seed: 1)
        optimizer.objective = space.objective
        let scoring: [LabeledBatch]
        switch part {
        case .shared: scoring = try (0..<2).map { try MultiTaskScoringNetwork.combined([batches(0)[$0], batches(1)[$0]]) }
        case let .task(task): scoring = batches(task)
        }
        let countBefore = space.parameterCount
        let record = try optimizer.expand(space, granularity: granularity, batches: scoring, targetParameters: targetParameters, stepSize: 0.1)
        XCTAssertEqual(space.parameterCount, countBefore + record.addedParameters, file: file, line: line)
        XCTAssertGreaterThan(record.addedParameters, 0, "\(part) grew", file: file, line: line)
        XCTAssertEqual(try outputs(), before, "growing \(part) changes no task's output", file: file, line: line)
        // Entries already owned keep their owner; new ones are the part's.
        for (old, new) in zip(owners, ownership(model)) {
            for (o, n) in zip(old, new) where o != n {
                XCTAssertNil(o, file: file, line: line)
                XCTAssertEqual(n, part, file: file, line: line)
            }
        }
        return record
    }
}
