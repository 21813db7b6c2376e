import SVGCharts

/// The part of a report that sets several runs side by side: a table and charts of their outcomes, each run named
/// by its folder and its `baseline` field and drawn in the same colour in every chart.
enum ComparisonSection {
    /// One compared outcome: its name, its value in a run and how it is written.
    private struct Measure: Sendable {
        var name: String
        var value: @Sendable (SearchSummary) -> Double
        var text: @Sendable (SearchSummary) -> String
    }

    private static let measures = [
        Measure(name: "test accuracy", value: { $0.testAccuracy * 100 }, text: { NumberText.percent($0.testAccuracy) }),
        Measure(name: "parameters", value: { Double($0.parameterCount) }, text: { NumberText.grouped($0.parameterCount) }),
        Measure(name: "multiply-accumulates per image", value: { Double($0.multiplyAccumulates) },
                text: { NumberText.grouped($0.multiplyAccumulates) }),
        Measure(name: "training seconds", value: { $0.trainingSeconds }, text: { NumberText.fixed($0.trainingSeconds, decimals: 2) }),
        Measure(name: "dead channels", value: { Double($0.deadChannels) }, text: { "\($0.deadChannels)" }),
        Measure(name: "zero-score units", value: { Double($0.zeroScoreUnits) }, text: { "\($0.zeroScoreUnits)" }),
    ]

    /// The section, with the HTML id `comparison`.
    static func html(_ runs: [ReportedRun]) -> String {
        let table = HTMLTable.html(className: "comparison", header: ["run", "folder", "baseline"] + measures.map(\.name),
                                   rows: runs.enumerated().map { number, run in
                                       ["\(number + 1)", run.folder, run.summary.baseline] + measures.map { $0.text(run.summary) }
                                   })
        let accuracy = LineChart(
            title: "Test accuracy per epoch", xLabel: "epochs trained", yLabel: "test accuracy (%)",
            series: runs.map { run in
                LineChart.Series(name: run.name, points: run.epochs.compactMap { epoch in
                    epoch.testAccuracy.map { LineChart.Point(x: Double(epoch.epoch + 1), y: Double($0) * 100) }
                })
            },
            yIncludesZero: false, width: 640, height: 360)
        let bars = measures.map { measure in
            BarChart(title: measure.name.prefix(1).uppercased() + measure.name.dropFirst(), axisLabel: measure.name,
                     bars: runs.map { BarChart.Bar(label: $0.name, value: measure.value($0.summary), valueText: measure.text($0.summary)) })
        }
        return """
            <section id="comparison">
            <h2>Comparison</h2>
            <p class="caption">Final values from each run's summary.json; the test accuracy per epoch from its epochs.jsonl.</p>
            \(table)
            <div class="charts">
            \(accuracy.svg())
            \(bars.map { $0.svg() }.joined(separator: "\n"))
            </div>
            </section>
            """
    }
}
