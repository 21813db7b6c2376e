import Foundation
import NeuralNetwork
import TensorCore
import Training
import XCTest

final class TensorBoardTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("tensorboard-\(UUID().uuidString)")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    /// The bytes that TensorBoard's own Python `RecordWriter` writes for the record "123456789".
    func testFramingMatchesTensorFlow() {
        let expected: [UInt8] = [
            0x09, 0, 0, 0, 0, 0, 0, 0,   // length 9, UInt64 little-endian
            0x37, 0xF9, 0x71, 0x39,      // masked CRC-32C of the 8 length bytes
        ] + Array("123456789".utf8) + [
            0xE5, 0xB0, 0x8A, 0xC7,      // masked CRC-32C of the data: masked(0xE3069283) = 0xC78AB0E5
        ]
        XCTAssertEqual([UInt8](TFRecord.frame(Data("123456789".utf8))), expected)
    }

    func testScalarEventEncodingIsByteExact() {
        let event = TensorBoardEvent(wallTime: 1.5, step: 300, content: .scalar(tag: "a", value: 0.5))
        let expected: [UInt8] = [
            0x09,                                            // field 1 (wall_time), wire type 1 (fixed64)
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xF8, 0x3F,  // 1.5 = 0x3FF8000000000000, little-endian
            0x10,                                            // field 2 (step), wire type 0 (varint)
            0xAC, 0x02,                                      // 300 = 0b10_0101100: 0x2C | 0x80, then 0x02
            0x2A, 0x0A,                                      // field 5 (summary), wire type 2, 10 bytes:
            0x0A, 0x08,                                      //   Summary field 1 (value), wire type 2, 8 bytes:
            0x0A, 0x01, 0x61,                                //     Value field 1 (tag), wire type 2, 1 byte "a"
            0x15,                                            //     Value field 2 (simple_value), wire type 5 (fixed32)
            0x00, 0x00, 0x00, 0x3F,                          //     0.5 = 0x3F000000, little-endian
        ]
        XCTAssertEqual([UInt8](event.encoded()), expected)
    }

    func testFileVersionEventAndDefaults() {
        let header = TensorBoardEvent(wallTime: 1.5, content: .fileVersion(TensorBoardEvent.currentFileVersion))
        // wall_time as above, then field 3 (file_version), wire type 2, 13 bytes; step 0 is left out.
        let expected: [UInt8] = [0x09, 0, 0, 0, 0, 0, 0, 0xF8, 0x3F, 0x1A, 0x0D] + Array("brain.Event:2".utf8)
        XCTAssertEqual([UInt8](header.encoded()), expected)
        // A scalar 0 at step 0: no step, but the simple_value (a oneof member) is there, 0x15 and four zero bytes.
        let zero = TensorBoardEvent(wallTime: 1.5, content: .scalar(tag: "a", value: 0))
        XCTAssertEqual([UInt8](zero.encoded()),
                       [0x09, 0, 0, 0, 0, 0, 0, 0xF8, 0x3F, 0x2A, 0x0A, 0x0A, 0x08, 0x0A, 0x01, 0x61, 0x15, 0, 0, 0, 0])
        // A negative step is the varint of its two's complement: ten bytes.
        let negative = TensorBoardEvent(wallTime: 1.5, step: -1, content: .scalar(tag: "a", value: 0))
        XCTAssertEqual([UInt8](negative.encoded())[9..<20], [0x10] + Array(repeating: 0xFF, count: 9) + [0x01])
    }

    func testWriterAppendsScalarsOnFlush() throws {
        let created = Date(timeIntervalSince1970: 1_700_000_000.25)
        let writer = try EventFileWriter(folder: folder.appendingPathComponent("run").path, creationDate: created, hostname: "host")
        XCTAssertEqual(writer.path, folder.appendingPathComponent("run/events.out.tfevents.1700000000.host").path)
        let header = EventFileReader.Event(wallTime: 1_700_000_000.25, fileVersion: "brain.Event:2")
        XCTAssertEqual(try EventFileReader.events(path: writer.path), [header], "the file exists with its version at once")

        writer.addScalar("train/loss", value: 2.25, step: 1, wallTime: Date(timeIntervalSince1970: 10))
        writer.addScalar("test/accuracy", value: 0.125, step: 1, wallTime: Date(timeIntervalSince1970: 10))
        XCTAssertEqual(try EventFileReader.events(path: writer.path).count, 1, "queued until flushed")
        try writer.flush()
        writer.addScalar("train/loss", value: -1e-3, step: 1 << 40, wallTime: Date(timeIntervalSince1970: 11))
        try writer.flush()
        try writer.flush()
        XCTAssertEqual(try EventFileReader.events(path: writer.path), [
            header,
            EventFileReader.Event(wallTime: 10, step: 1, values: [.init(tag: "train/loss", value: 2.25)]),
            EventFileReader.Event(wallTime: 10, step: 1, values: [.init(tag: "test/accuracy", value: 0.125)]),
            EventFileReader.Event(wallTime: 11, step: 1 << 40, values: [.init(tag: "train/loss", value: -1e-3)]),
        ])
    }

    func testWriterErrorsNameThePath() throws {
        let created = Date(timeIntervalSince1970: 1_700_000_000)
        let writer = try EventFileWriter(folder: folder.path, creationDate: created, hostname: "host")
        XCTAssertThrowsError(try EventFileWriter(folder: folder.path, creationDate: created, hostname: "host")) { error in
            XCTAssertEqual("\(error)", "\(writer.path): cannot open: File exists")
        }
        let second = try EventFileWriter(folder: folder.path, creationDate: created, hostname: "host", suffix: ".4242")
        XCTAssertEqual(second.path, folder.appendingPathComponent("events.out.tfevents.1700000000.host.4242").path)
        let notAFolder = writer.path + "/run"
        XCTAssertThrowsError(try EventFileWriter(folder: notAFolder)) { error in
            XCTAssertTrue("\(error)".hasPrefix("\(notAFolder): cannot create the folder"), "\(error)")
        }
        try FileManager.default.removeItem(atPath: writer.path)
        writer.addScalar("train/loss", value: 1, step: 1)
        XCTAssertThrowsError(try writer.flush()) { error in
            XCTAssertEqual("\(error)", "\(writer.path): cannot open: No such file or directory")
        }
    }

    /// A few epochs of a linear classifier: every epoch appends one record per scalar of its report, at step epoch + 1.
    /// With `TENSORBOARD_TEST_OUTPUT` set, the event file and `expected_scalars.json` (tag to `[{step, value}]`)
    /// are left in that folder, for `Scripts/interop/check_tensorboard.py`.
    func testLoggerWritesEachEpochsScalars() throws {
        let output = ProcessInfo.processInfo.environment["TENSORBOARD_TEST_OUTPUT"].map { URL(fileURLWithPath: $0) }
        let runFolder = output ?? folder.appendingPathComponent("run")
        let epochs = 3, batchesPerEpoch = 2
        var generator = RandomGenerator(seed: 5)
        let batches = (0..<batchesPerEpoch + 1).map { _ in
            let inputs = generator.normalTensor(shape: [8, 4])
            return LabeledBatch(inputs: inputs, labels: (0..<8).map { inputs[flat: 4 * $0] > 0 ? 1 : 0 })
        }
        let schedule = try CosineAnnealingSchedule(initialRate: 0.5, finalRate: 0, length: Double(epochs))
        let logger = try TensorBoardLogger(folder: runFolder.path)
        let loop = TrainingLoop(model: Sequential([Linear(name: "fc", inputFeatures: 4, outputFeatures: 2, generator: &generator)]),
                                optimizer: try SGD(learningRate: 0.5), schedule: schedule, callbacks: [logger])
        let history = try loop.fit(train: FixedBatches(Array(batches.prefix(batchesPerEpoch))),
                                   test: FixedBatches([batches[batchesPerEpoch]]), epochs: epochs)

        let events = try EventFileReader.events(path: logger.writer.path)
        XCTAssertEqual(events.first?.fileVersion, "brain.Event:2")
        let scalars = events.dropFirst()
        XCTAssertEqual(scalars.count, epochs * 6)
        XCTAssertTrue(scalars.allSatisfy { $0.values.count == 1 && $0.fileVersion == nil })
        var series: [String: [ExpectedScalar]] = [:]
        for event in scalars {
            series[event.values[0].tag, default: []].append(ExpectedScalar(step: event.step, value: event.values[0].value))
        }
        func expected(_ value: (EpochReport) -> Float?) -> [ExpectedScalar] {
            history.map { ExpectedScalar(step: $0.epoch + 1, value: value($0)!) }
        }
        let expectedSeries: [String: [ExpectedScalar]] = [
            "train/loss": expected(\.trainLoss), "train/accuracy": expected(\.trainAccuracy),
            "test/loss": expected(\.testLoss), "test/accuracy": expected(\.testAccuracy),
            "network/parameters": expected { _ in 4 * 2 + 2 },
            "train/learning_rate": expected { schedule.learningRate(at: Double($0.epoch) + 0.5) },
        ]
        XCTAssertEqual(series, expectedSeries)
        if let output {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            try encoder.encode(expectedSeries).write(to: output.appendingPathComponent("expected_scalars.json"))
        }
    }

    func testLoggerWithoutTestDataWritesNoTestScalars() throws {
        var generator = RandomGenerator(seed: 6)
        let batch = LabeledBatch(inputs: generator.normalTensor(shape: [4, 3]), labels: [0, 1, 0, 1])
        let logger = try TensorBoardLogger(folder: folder.path)
        let loop = TrainingLoop(model: Linear(inputFeatures: 3, outputFeatures: 2, generator: &generator),
                                optimizer: try SGD(learningRate: 0.1), schedule: try ConstantSchedule(rate: 0.1), callbacks: [logger])
        try loop.fit(train: FixedBatches([batch]), test: nil, epochs: 2)
        let tags = try EventFileReader.events(path: logger.writer.path).dropFirst().map { $0.values[0].tag }
        let perEpoch = ["train/loss", "train/accuracy", "train/learning_rate", "network/parameters"]
        XCTAssertEqual(tags, perEpoch + perEpoch)
    }
}

/// One point of a scalar series, as `expected_scalars.json` lists them.
private struct ExpectedScalar: Codable, Equatable {
    var step: Int
    var value: Float
}
