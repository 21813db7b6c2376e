import SVGCharts
import Training

/// The part of a report about one run: its summary, its training curves, its growth per connection and its final
/// architecture.
enum RunSection {
    /// The section of `run`, with the HTML id `run-N` for its 1-based `number`.
    static func html(_ run: ReportedRun, number: Int) -> String {
        """
        <section id="run-\(number)" class="run">
        <h2>\(number). \(run.name.markupEscaped)</h2>
        \(facts(run))
        <h3>Training</h3>
        <div class="charts">
        \(curves(run).map { $0.svg() }.joined(separator: "\n"))
        </div>
        <h3>Growth per connection</h3>
        \(growth(run))
        <h3>Final architecture</h3>
        <p class="caption">Nodes: id, kind and real channels (placeholders not counted), on the band of their stage. \
        Connections: present entries and, for convolutions, present kernels (kernels with at least one present tap), \
        from \(run.detailsFolder.architecturePath.markupEscaped); the thicker, the more entries.</p>
        <div class="scroll">\(run.graph.svg())</div>
        </section>
        """
    }

    /// The summary's main values as a two-column table.
    private static func facts(_ run: ReportedRun) -> String {
        let summary = run.summary
        var rows: [[String]] = [
            ["folder", run.folder],
            ["baseline", summary.baseline],
            ["dataset", summary.dataset],
            ["granularity", summary.granularity],
            ["seed", "\(summary.seed)"],
            ["epochs", "\(summary.epochs)"],
            ["expansions", "\(summary.expansions)"],
            ["test accuracy", NumberText.percent(summary.testAccuracy)],
            ["train accuracy", NumberText.percent(summary.trainAccuracy)],
            ["parameters", "\(NumberText.grouped(summary.parameterCount)) (budget \(NumberText.grouped(summary.budget)); "
                + "start \(NumberText.grouped(summary.startingParameterCount)))"],
            ["multiply-accumulates per image", NumberText.grouped(summary.multiplyAccumulates)
                + (summary.computeBudget.map { " (budget \(NumberText.grouped($0)))" } ?? " (no compute budget)")],
            ["training seconds", NumberText.fixed(summary.trainingSeconds, decimals: 2)],
            ["wall seconds", NumberText.fixed(summary.wallSeconds, decimals: 2)],
            ["dead channels", "\(summary.deadChannels)"],
            ["zero-score units", "\(summary.zeroScoreUnits)"],
            ["revived channels", "\(summary.revivedChannels)"],
            ["threads, BLAS kernels", "\(summary.threads), \(summary.blasKernels)"],
        ]
        if let rate = summary.initialArchitectureLearningRate {
            rows.append(["initial A_lr", NumberText.trimmed(rate, decimals: 4)])
        }
        if let kept = summary.keptTrial, let trials = summary.trials {
            rows.append(["trials", "\(trials.count); kept trial \(kept), whose files are in \(run.detailsFolder.path)"])
        }
        return HTMLTable.html(className: "facts", header: [], rows: rows)
    }

    /// Loss, accuracy and parameters per epoch; x is the number of epochs trained (epochs.jsonl's 0-based epoch + 1),
    /// so that an expansion at epoch e lines up with the end of the e-th epoch. The parameters start at 0 epochs
    /// with summary.json's `startingParameterCount`.
    private static func curves(_ run: ReportedRun) -> [LineChart] {
        func series(_ name: String, _ value: (EpochReport) -> Double?) -> LineChart.Series {
            LineChart.Series(name: name, points: run.epochs.compactMap { epoch in
                value(epoch).map { LineChart.Point(x: Double(epoch.epoch + 1), y: $0) }
            })
        }
        var parameters = series("parameters") { Double($0.parameterCount) }
        parameters.points.insert(LineChart.Point(x: 0, y: Double(run.summary.startingParameterCount)), at: 0)
        return [
            LineChart(title: "Loss", xLabel: "epochs trained", yLabel: "cross-entropy",
                      series: [series("train") { Double($0.trainLoss) }, series("test") { $0.testLoss.map(Double.init) }]),
            LineChart(title: "Accuracy", xLabel: "epochs trained", yLabel: "accuracy (%)",
                      series: [series("train") { Double($0.trainAccuracy) * 100 }, series("test") { $0.testAccuracy.map { Double($0) * 100 } }],
                      yIncludesZero: false),
            LineChart(title: "Parameters (budget \(NumberText.grouped(run.summary.budget)))", xLabel: "epochs trained",
                      yLabel: "present parameters", series: [parameters]),
        ]
    }

    /// The heatmap of the parameters each expansion added per connection, or why there is none.
    private static func growth(_ run: ReportedRun) -> String {
        guard !run.expansions.isEmpty else {
            return "<p class=\"caption\">No expansions: summary.json records \(run.summary.expansions) (the \(run.summary.baseline.markupEscaped) "
                + "network does not grow).</p>"
        }
        let heatmap = Heatmap(expansions: run.expansions, architecture: run.architecture)
        return "<p class=\"caption\">\(Heatmap.expansionsColorMeaning.markupEscaped) Read from \(run.detailsFolder.expansionsPath.markupEscaped).</p>\n"
            + "<div class=\"scroll\">\(heatmap.svg())</div>"
    }
}
