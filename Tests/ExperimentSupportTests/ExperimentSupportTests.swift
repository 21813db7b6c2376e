import ArgumentParser
import ExperimentSupport
import Foundation
import XCTest

final class ExperimentSupportTests: XCTestCase {
    func testScaleDefaultsToQuickAndParsesPaper() throws {
        XCTAssertEqual(try ExperimentOptions.parse([]).scale, .quick)
        let options = try ExperimentOptions.parse(["--scale", "paper", "--data-root", "/data", "--threads", "2"])
        XCTAssertEqual(options.scale, .paper)
        XCTAssertEqual(options.dataRoot, "/data")
        XCTAssertEqual(options.threads, 2)
        XCTAssertTrue(options.runRoot.path.hasSuffix("runs/reproduce/paper"))
    }

    func testBadScaleAndThreadsAreRejected() {
        XCTAssertThrowsError(try ExperimentOptions.parse(["--scale", "huge"]))
        XCTAssertThrowsError(try ExperimentOptions.parse(["--threads", "0"]))
    }

    func testParameterTextWritesBudgetsAsThePaper() {
        XCTAssertEqual(Table1Setup.paperRows.map { parameterText($0.budget) }, ["0.5M", "1.0M", "2.5M", "5.0M"])
        XCTAssertEqual(parameterText(20_000), "20k")
        XCTAssertEqual(parameterText(25_000), "25k")
        XCTAssertEqual(parameterText(12_500), "12.5k")
        XCTAssertEqual(parameterText(999), "999")
        XCTAssertEqual(percent(0.9375), "93.75")
    }

    func testPaperReferenceTableFormatting() {
        var table = MarkdownTable(columns: ["Work", "Accuracy (%) paper", "Params (M) paper", "GPU Days paper"])
        for row in Table1Setup.paperRows.reversed() {
            table.append(["ILNAS (\(parameterText(row.budget)))", cell(row.accuracy), cell(Double(row.budget) / 1e6, decimals: 1),
                          cell(row.gpuDays, decimals: 1)])
        }
        table.append(["a | b", cell(nil), cell(nil, absent: "figure only"), "N/A"])
        XCTAssertEqual(table.markdown, """
            | Work | Accuracy (%) paper | Params (M) paper | GPU Days paper |
            | --- | --- | --- | --- |
            | ILNAS (5.0M) | 97.42 | 5.0 | 0.8 |
            | ILNAS (2.5M) | 95.88 | 2.5 | 0.5 |
            | ILNAS (1.0M) | 94.64 | 1.0 | 0.3 |
            | ILNAS (0.5M) | 93.75 | 0.5 | 0.2 |
            | a \\| b | – | figure only | N/A |

            """)
        XCTAssertEqual(Table1Setup.otherWorks.count, 14)
    }

    func testMissingDataListsEveryAbsentFileAndWhereToGetIt() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("experiment-support-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let cifar = root.appendingPathComponent("cifar-10-batches-bin")
        try FileManager.default.createDirectory(at: cifar, withIntermediateDirectories: true)
        for file in ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin"] {
            XCTAssertTrue(FileManager.default.createFile(atPath: cifar.appendingPathComponent(file).path, contents: Data()))
        }
        let mnist = root.appendingPathComponent("mnist")
        try FileManager.default.createDirectory(at: mnist, withIntermediateDirectories: true)
        for file in ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"] {
            XCTAssertTrue(FileManager.default.createFile(atPath: mnist.appendingPathComponent(file).path, contents: Data()))
        }
        XCTAssertNil(MissingData.check([.mnist], root: root.path, experiment: "TransferMNIST"))
        let missing = try XCTUnwrap(MissingData.check([.cifar10, .mnist, .stl10], root: root.path, experiment: "TransferSTL10"))
        let text = missing.description
        XCTAssertTrue(text.hasPrefix("TransferSTL10 --scale paper needs data that is not there:"))
        XCTAssertTrue(text.contains(cifar.appendingPathComponent("data_batch_5.bin").path))
        XCTAssertTrue(text.contains(cifar.appendingPathComponent("test_batch.bin").path))
        XCTAssertFalse(text.contains("data_batch_1.bin"))
        XCTAssertFalse(text.contains("MNIST:"))
        for file in ["train_X.bin", "train_y.bin", "test_X.bin", "test_y.bin"] {
            XCTAssertTrue(text.contains(root.appendingPathComponent("stl10_binary/" + file).path), file)
        }
        XCTAssertTrue(text.contains("cifar-10-binary.tar.gz"))
        XCTAssertTrue(text.contains("stl10_binary.tar.gz"))
        XCTAssertTrue(text.contains("Datasets.md"))
        XCTAssertTrue(text.hasSuffix("or run --scale quick (stand-in data, minutes)."))
        let quick = try XCTUnwrap(MissingData.check([.stl10], root: root.path, experiment: "TransferSTL10", scale: .quick))
        XCTAssertTrue(quick.description.hasPrefix("TransferSTL10 --scale quick needs data that is not there:"))
    }

    func testReportPageNamesDateMachineCommitAndStandIns() {
        let machine = Machine(processor: "Some CPU", cores: 2, openBLASCoreType: "Haswell", loadAverageAtStart: 3.5)
        let report = ExperimentReport(experiment: "Table1Budgets", title: "Table 1", scale: .quick,
                                      standIns: ["CIFAR-10 -> digits"], settings: ["--budget 5000"], rows: [ResultRow(label: "x")],
                                      wallSeconds: 12.4, machine: machine, date: Date(timeIntervalSince1970: 0), commit: "abc")
        let page = report.markdown(table: MarkdownTable(columns: ["a"], rows: [["1"]]))
        for line in ["# Table 1", "- Scale: `quick`", "- Date: 1970-01-01T00:00:00Z",
                     "- Machine: Some CPU, 2 cores, OpenBLAS core type Haswell, load average 3.50 at the start", "- Commit: abc",
                     "- Wall time of the experiment: 12 s", "- Stand-in: CIFAR-10 -> digits", "| a |\n| --- |\n| 1 |", "- --budget 5000"] {
            XCTAssertTrue(page.contains(line), line)
        }
    }

    func testIDXHeaderIsBigEndian() {
        XCTAssertEqual(Array(IDXWriting.data(dimensions: [2, 1, 3], bytes: [7, 8, 9, 10, 11, 12])),
                       [0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 3, 7, 8, 9, 10, 11, 12])
    }

    func testTable3RowsAreThePapersAndItsDataIsChecked() throws {
        let rows = MultiTaskSetup.paperRows
        XCTAssertEqual(rows.map(\.datasetText), ["(CIFAR-10, MNIST)", "(CIFAR-10, Fashion-MNIST)", "(CIFAR-10, Fashion-MNIST)",
                                                 "(ImageNet, CIFAR-10)"])
        XCTAssertEqual(rows.map(\.sharedText), ["20.0%", "20.0%", "33.3%", "33.3%"])
        XCTAssertEqual(rows.map { parameterText($0.budget) }, ["5.0M", "5.0M", "4.5M", "7.5M"])
        XCTAssertEqual(rows[3].topOneAccuracies, [71.2, 92.36])
        XCTAssertEqual(MultiTaskSetup.paperData.map(\.name), ["CIFAR-10", "MNIST", "Fashion-MNIST", "ImageNet"])

        let root = FileManager.default.temporaryDirectory.appendingPathComponent("multitask-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root.appendingPathComponent("imagenet/train"), withIntermediateDirectories: true)
        let missing = try XCTUnwrap(MissingData.check([.fashionMNIST, .imageNet], root: root.path, experiment: "MultiTask"))
        XCTAssertTrue(missing.description.contains(root.appendingPathComponent("fashion-mnist/train-images-idx3-ubyte").path + " (or .gz)"))
        XCTAssertTrue(missing.description.contains(root.appendingPathComponent("imagenet/val").path))
        XCTAssertFalse(missing.description.contains(root.appendingPathComponent("imagenet/train").path))
        XCTAssertTrue(missing.description.contains("zalandoresearch/fashion-mnist"))
    }

    func testMultiTaskRunArguments() {
        let quick = MultiTaskSetup(scale: .quick)
        let search = quick.run(data: ["digits", "/m"], shared: 0.333, budget: 20_000, label: "digits-mnist")
        XCTAssertEqual(search.name, "multitask-digits-mnist-shared-33.3-20k")
        XCTAssertEqual(search.arguments, ["--data", "digits", "--data", "/m", "--budget", "20000", "--epochs", String(MultiTaskSetup.quickEpochs),
                                          "--seed", "0", "--shared", "0.333", "--hidden", "256,128", "--input-size", "8"])
        let separate = quick.run(data: ["digits", "/m"], shared: 0.2, budget: 20_000, baseline: "separate", label: "digits-mnist")
        XCTAssertEqual(separate.name, "multitask-digits-mnist-separate-20k")
        XCTAssertEqual(separate.shared, 0)
        XCTAssertTrue(separate.arguments.contains("--baseline"))
        XCTAssertFalse(separate.arguments.contains("--shared"))
        let paper = MultiTaskSetup(scale: .paper).run(data: ["/c", "/f"], shared: 0.2, budget: 5_000_000, label: "cifar-fashion")
        XCTAssertEqual(Array(paper.arguments.suffix(8)), ["--trunk", "conv", "--conv-channels", "128,256,512,1024,1024", "--batch-size", "128",
                                                          "--frozen-fraction", "0.2"])
    }

    func testMultiTaskSummaryDecodesWhatIlnasMultitaskWrites() throws {
        let json = """
            {"parameterCount": 19980, "budget": 20000, "shared": 0.2, "baseline": "ilnas", "epochs": 8, "seed": 0,
             "inputShape": [1, 8, 8], "trunk": "conv", "convChannels": [32, 64], "kernelSize": 3, "granularity": "kernel", "learningRate": 0.2,
             "augmentation": [{"cropPadding": 0, "horizontalFlip": false}, {"cropPadding": 0, "horizontalFlip": false}], "sharedParameterCount": 3900, "expansions": 30, "wallSeconds": 12.5,
             "threads": 2, "blasKernels": "Haswell",
             "tasks": [{"dataset": "digits", "parameterCount": 11000, "ownParameterCount": 7100, "budget": 7400,
                        "testAccuracy": 0.95, "testLoss": 0.2},
                       {"dataset": "mnist", "parameterCount": 12000, "ownParameterCount": 8100, "budget": 7400,
                        "testAccuracy": 0.9, "testLoss": 0.3}]}
            """
        let summary = try JSONDecoder().decode(MultiTaskRunSummary.self, from: Data(json.utf8))
        XCTAssertEqual(summary.tasks.map(\.dataset), ["digits", "mnist"])
        XCTAssertEqual(summary.sharedParameterCount, 3900)
        XCTAssertEqual(summary.trunk, "conv")
        XCTAssertEqual(summary.convChannels, [32, 64])
        XCTAssertNil(summary.hidden)
        XCTAssertEqual(summary.outline, "digits 95.00%, mnist 90.00%, 19980 parameters")
    }
}
