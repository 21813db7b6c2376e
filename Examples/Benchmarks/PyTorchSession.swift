import Foundation

/// PyTorch training throughput measured in the same session by the reference's own `bench_speed.py`
/// (`results/speed_pass<N>.json`), for a comparison that does not depend on the machine's speed on the
/// day RESULTS.md was measured.
struct PyTorchSession {
    /// One row of `bench_speed.py`'s output, only the fields used here.
    private struct Row: Decodable {
        struct Train: Decodable {
            let img_per_s: Double
        }

        struct Load: Decodable {
            let other_cores: Double
        }

        let model: String
        let threads: Int
        let train: Train
        let load: Load
    }

    private struct File: Decodable {
        let rows: [Row]
    }

    /// Rows during which other processes used more cores than this are left out, as RESULTS.md does.
    static let cleanOtherCores = 0.2

    private let imagesPerSecond: [String: [Double]]

    /// Reads every file in `paths`; an empty list gives a session without figures.
    init(paths: [String]) throws {
        var figures: [String: [Double]] = [:]
        for path in paths {
            let data: Data
            do {
                data = try Data(contentsOf: URL(fileURLWithPath: path))
            } catch {
                throw BenchmarkError.failed("cannot read PyTorch results \(path): \(error.localizedDescription)")
            }
            let file: File
            do {
                file = try JSONDecoder().decode(File.self, from: data)
            } catch {
                throw BenchmarkError.failed("\(path) is not a bench_speed.py result file: \(error)")
            }
            for row in file.rows where row.load.other_cores <= Self.cleanOtherCores {
                figures["\(row.model)/\(row.threads)", default: []].append(row.train.img_per_s)
            }
        }
        imagesPerSecond = figures
    }

    /// The median over the clean rows of `model` at `threads`, or `nil` when there is none.
    func trainImagesPerSecond(model: String, threads: Int) -> Double? {
        imagesPerSecond["\(model)/\(threads)"].map(Statistics.median)
    }
}
