import SVGCharts

/// The HTML page of `ilnas report`: one self-contained document (inline style and SVG, no script, no external
/// resource) that is also well-formed XML, with a comparison of the runs when there are several and a section per run.
enum ReportPage {
    static func html(_ runs: [ReportedRun]) -> String {
        let names = runs.map(\.name).joined(separator: ", ")
        let contents = runs.enumerated().map { "<li><a href=\"#run-\($0.offset + 1)\">\($0.element.name.markupEscaped)</a></li>" }
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8"/>
            <meta name="viewport" content="width=device-width, initial-scale=1"/>
            <title>ILNAS report: \(names.markupEscaped)</title>
            <style>\(style)</style>
            </head>
            <body>
            <h1>ILNAS report</h1>
            <p class="caption">What the search did, drawn from the files each run folder holds (summary.json, epochs.jsonl, \
            expansions.jsonl, architecture.json).</p>
            <ul class="contents">\(runs.count > 1 ? "<li><a href=\"#comparison\">Comparison</a></li>" : "")\(contents.joined())</ul>
            \(runs.count > 1 ? ComparisonSection.html(runs) : "")
            \(runs.enumerated().map { RunSection.html($0.element, number: $0.offset + 1) }.joined(separator: "\n"))
            </body>
            </html>

            """
    }

    private static let style = """
        body { font-family: sans-serif; margin: 24px; color: #222; line-height: 1.4; }
        h1 { margin-bottom: 4px; }
        h2 { border-bottom: 2px solid #0072B2; padding-bottom: 4px; margin-top: 40px; }
        .caption { color: #555; max-width: 960px; }
        .charts { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; }
        svg { max-width: 100%; height: auto; }
        .scroll { overflow-x: auto; }
        .scroll svg { max-width: none; }
        table { border-collapse: collapse; margin: 8px 0 16px; }
        td, th { border: 1px solid #ddd; padding: 3px 8px; text-align: left; }
        th { background: #f2f5fa; }
        table.comparison td { text-align: right; white-space: nowrap; }
        table.comparison td:nth-child(2), table.comparison td:nth-child(3) { text-align: left; }
        table.facts td:first-child { color: #555; }
        """
}
