import Foundation
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
}
