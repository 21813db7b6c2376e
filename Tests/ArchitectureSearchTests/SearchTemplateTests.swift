import ArchitectureSearch
import XCTest

/// The starting network and the fixed baseline that the templates build for a budget.
final class SearchTemplateTests: XCTestCase {
    private let template = ConvolutionalTemplate(stages: 2, channels: 8...12, density: 0.5, hiddenWidth: 32...48)

    /// Figure 5's fixed network uses 97-100% of the budget, with VGG's proportions as far as whole channels allow.
    func testTheFixedNetworkFillsTheBudget() throws {
        for (shape, budget) in [([1, 28, 28], 20_000), ([1, 28, 28], 100_000), ([3, 32, 32], 50_000), ([1, 8, 8], 20_000)] {
            let network = try template.fixedNetwork(inputShape: shape, classes: 10, budget: budget, seed: 1)
            XCTAssertLessThanOrEqual(network.parameterCount, budget, "\(shape) \(budget)")
            XCTAssertGreaterThanOrEqual(Double(network.parameterCount), 0.97 * Double(budget), "\(shape) \(budget)")
            let widths = network.nodes.dropFirst().dropLast().map(\.realChannelCount)
            XCTAssertTrue(network.nodes.allSatisfy { $0.placeholderChannels.isEmpty })
            XCTAssertTrue(network.edges.allSatisfy { $0.weight.mask.isFull }, "every connection is dense")
            // w, 2w, 2w, 4w, 4w, 8w: each layer within one channel step of its proportion of the stem's width.
            let proportions = [1, 2, 2, 4, 4, 8]
            XCTAssertEqual(widths.count, proportions.count)
            for (width, proportion) in zip(widths, proportions) {
                XCTAssertEqual(Double(width) / Double(proportion), Double(widths[0]), accuracy: 1.0 + Double(widths[0]) * 0.5, "\(widths)")
            }
        }
        XCTAssertThrowsError(try template.fixedNetwork(inputShape: [1, 28, 28], classes: 10, budget: 50, seed: 1))
    }

    func testTheStartingNetworkIsNarrowedBelowBothBudgets() throws {
        let wide = try template.makeNetwork(inputShape: [1, 28, 28], classes: 10, seed: 3)
        let narrowed = try template.narrowed(toAtMost: 5_000, multiplyAccumulates: 300_000, inputShape: [1, 28, 28], classes: 10, seed: 3)
        let network = try narrowed.makeNetwork(inputShape: [1, 28, 28], classes: 10, seed: 3)
        XCTAssertGreaterThan(wide.parameterCount, 5_000)
        XCTAssertLessThanOrEqual(network.parameterCount, 5_000)
        XCTAssertLessThanOrEqual(network.multiplyAccumulates, 300_000)
        XCTAssertLessThan(narrowed.channels.upperBound, template.channels.upperBound)
        let unchanged = try template.narrowed(toAtMost: 10_000_000, inputShape: [1, 28, 28], classes: 10, seed: 3)
        XCTAssertEqual(unchanged.channels, template.channels, "never widened")
        XCTAssertThrowsError(try template.narrowed(toAtMost: 10, inputShape: [1, 28, 28], classes: 10, seed: 3)) { error in
            guard case .budgetTooSmall = error as? SearchError else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try template.narrowed(toAtMost: 10_000_000, multiplyAccumulates: 10, inputShape: [1, 28, 28],
                                                   classes: 10, seed: 3)) { error in
            guard case .computeBudgetTooSmall = error as? SearchError else { return XCTFail("\(error)") }
        }
    }
}
