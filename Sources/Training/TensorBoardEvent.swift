import Foundation

/// One `tensorflow.Event` of a TensorBoard event file: the file-version header or one scalar.
///
/// Only the fields that scalar logs need are encoded (field numbers as in TensorFlow's `event.proto` and
/// `summary.proto`):
/// ```
/// message Event   { double wall_time = 1; int64 step = 2; string file_version = 3; Summary summary = 5; }
/// message Summary { repeated Value value = 1; }
/// message Value   { string tag = 1; float simple_value = 2; }   // Summary.Value
/// ```
public struct TensorBoardEvent: Equatable, Sendable {
    /// What the event carries besides its time and step.
    public enum Content: Equatable, Sendable {
        /// The format version, the content of the first event of every file.
        case fileVersion(String)
        /// A summary holding one scalar value.
        case scalar(tag: String, value: Float)
    }

    /// The file version TensorBoard reads: `brain.Event:2`.
    public static let currentFileVersion = "brain.Event:2"

    /// Seconds since 1970-01-01 UTC.
    public var wallTime: Double
    /// The x coordinate of a scalar in TensorBoard's plots.
    public var step: Int
    public var content: Content

    public init(wallTime: Double, step: Int = 0, content: Content) {
        self.wallTime = wallTime
        self.step = step
        self.content = content
    }

    /// The event as protobuf bytes, ready for ``TFRecord/frame(_:)``.
    ///
    /// A step of 0 is left out, as proto3 leaves out default values; `simple_value` is always written, since it
    /// belongs to a `oneof` and its presence is what makes the value a scalar.
    public func encoded() -> Data {
        var event = ProtobufWriter()
        event.appendDouble(field: 1, wallTime)
        if step != 0 { event.appendVarint(field: 2, UInt64(bitPattern: Int64(step))) }
        switch content {
        case let .fileVersion(version):
            event.appendLengthDelimited(field: 3, Data(version.utf8))
        case let .scalar(tag, value):
            var summaryValue = ProtobufWriter()
            summaryValue.appendLengthDelimited(field: 1, Data(tag.utf8))
            summaryValue.appendFloat(field: 2, value)
            var summary = ProtobufWriter()
            summary.appendLengthDelimited(field: 1, summaryValue.bytes)
            event.appendLengthDelimited(field: 5, summary.bytes)
        }
        return event.bytes
    }
}
