import NeuralNetwork
import TensorCore
import Training

/// The network a part's expansion scores with: the tasks of the part (every task for the shared part, one for a task's
/// part), each run in its own view on its own rows of the batch.
///
/// A batch holds `tasks.count` equal segments of rows, the first for `tasks[0]` and so on (``combined(_:)`` builds
/// one). The output has one row per input row and as many columns as the task with the most classes; a task's unused
/// columns are zero, and ``MultiTaskObjective`` ignores them. `backward` runs each task's segment again in its view
/// in training mode and back-propagates its rows of the output gradient, so the parameter gradients are summed over the
/// tasks: an unowned trunk entry (zero in every view) receives `Σ_t ∂L_t/∂W`, the shared part's score. An entry owned
/// by one task keeps only that task's gradient, as in training, so the hyper-architecture step of an expansion moves
/// every entry as a training step would. The union view is installed after every call.
public final class MultiTaskScoringNetwork: Layer {
    /// A readable name for reports.
    public var name: String
    /// The multi-task network whose task views the batch segments run in.
    public let model: MultiTaskNetwork
    /// The tasks whose segments a batch holds, in order.
    public let tasks: [Int]
    /// The output width: the largest class count of the tasks.
    public let outputWidth: Int
    private var cachedSegments: [Tensor]?

    /// Scores `tasks` of `model`; throws ``SearchError/invalidSetting(_:)`` for an empty or unknown task list.
    public init(model: MultiTaskNetwork, tasks: [Int]) throws {
        guard !tasks.isEmpty, tasks.allSatisfy({ (0..<model.taskCount).contains($0) }), Set(tasks).count == tasks.count else {
            throw SearchError.invalidSetting("scoring needs distinct tasks of 0..<\(model.taskCount), got \(tasks)")
        }
        self.model = model
        self.tasks = tasks
        name = "scoring(" + tasks.map(String.init).joined(separator: ",") + ")"
        let features = try model.trunk.outputShape(forInput: [1] + model.inputShape)
        outputWidth = try tasks.map { try model.heads[$0].outputShape(forInput: features)[1] }.max() ?? 0
    }

    /// The trunk's parameters and the heads of ``tasks``.
    public var parameters: [Parameter] { model.trunkParameters + tasks.flatMap { model.heads[$0].parameters } }

    public func outputShape(forInput shape: [Int]) throws -> [Int] {
        guard shape.count == model.inputShape.count + 1, Array(shape.dropFirst()) == model.inputShape else {
            throw NetworkError.shapeMismatch(layer: name, expected: [shape.first ?? 0] + model.inputShape, actual: shape)
        }
        return [shape[0], outputWidth]
    }

    public func forward(_ input: Tensor, mode: ForwardMode) throws -> Tensor {
        _ = try outputShape(forInput: input.shape)
        let segments = try Self.split(input, into: tasks.count, layer: name)
        defer { model.installUnion() }
        var rows: [Float] = []
        for (task, segment) in zip(tasks, segments) {
            try model.installView(task: task)
            let output = try model.taskNetworks[task].forward(segment, mode: mode)
            let classes = output.shape[1]
            for row in 0..<output.shape[0] {
                rows.append(contentsOf: output.scalars[(row * classes)..<((row + 1) * classes)])
                rows.append(contentsOf: repeatElement(0, count: outputWidth - classes))
            }
        }
        cachedSegments = mode == .training ? segments : nil
        return Tensor(shape: [input.shape[0], outputWidth], scalars: rows)
    }

    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        guard let segments = cachedSegments else { throw NetworkError.missingForward(layer: name) }
        let rows = segments.reduce(0) { $0 + $1.shape[0] }
        guard outputGradient.shape == [rows, outputWidth] else {
            throw NetworkError.shapeMismatch(layer: "\(name) (output gradient)", expected: [rows, outputWidth], actual: outputGradient.shape)
        }
        defer { model.installUnion() }
        var inputGradient: [Float] = []
        var firstRow = 0
        for (task, segment) in zip(tasks, segments) {
            try model.installView(task: task)
            let output = try model.taskNetworks[task].forward(segment, mode: .training)
            let classes = output.shape[1], count = segment.shape[0]
            var gradient = [Float](repeating: 0, count: count * classes)
            for row in 0..<count {
                for k in 0..<classes { gradient[row * classes + k] = outputGradient.scalars[(firstRow + row) * outputWidth + k] }
            }
            firstRow += count
            // Entries another task owns are zero in this view: their gradient is not this task's to add.
            let before = model.trunkParameters.map(\.gradient)
            let segmentGradient = try model.taskNetworks[task].backward(Tensor(shape: [count, classes], scalars: gradient))
            inputGradient.append(contentsOf: segmentGradient.scalars)
            let union = model.viewMasks(nil), view = model.viewMasks(task)
            for (index, parameter) in model.trunkParameters.enumerated() {
                for entry in 0..<parameter.count where union[index].isActive(entry) && !view[index].isActive(entry) {
                    parameter.gradient[flat: entry] = before[index][flat: entry]
                }
            }
        }
        return Tensor(shape: [rows] + model.inputShape, scalars: inputGradient)
    }

    /// The tasks' batches joined into one of equal segments (each cut to the smallest batch's size), in task order, as
    /// this network reads it. Throws when a batch is empty or the batches' sample shapes differ.
    public static func combined(_ batches: [LabeledBatch]) throws -> LabeledBatch {
        guard let rows = batches.map({ $0.labels.count }).min(), rows > 0 else {
            throw SearchError.invalidSetting("combining task batches needs non-empty batches")
        }
        let sampleShape = Array(batches[0].inputs.shape.dropFirst())
        var scalars: [Float] = [], labels: [Int] = []
        for batch in batches {
            guard Array(batch.inputs.shape.dropFirst()) == sampleShape else {
                throw SearchError.invalidSetting("task batches of samples \(sampleShape) and \(Array(batch.inputs.shape.dropFirst())) cannot be combined")
            }
            let size = sampleShape.reduce(1, *)
            scalars.append(contentsOf: batch.inputs.scalars[0..<(rows * size)])
            labels.append(contentsOf: batch.labels[0..<rows])
        }
        return LabeledBatch(inputs: Tensor(shape: [rows * batches.count] + sampleShape, scalars: scalars), labels: labels)
    }

    /// `input` cut into `count` equal segments of rows.
    static func split(_ input: Tensor, into count: Int, layer: String) throws -> [Tensor] {
        let rows = input.shape[0]
        guard rows % count == 0, rows > 0 else {
            throw NetworkError.invalidConfiguration(layer: layer, reason: "\(rows) rows do not split into \(count) equal task segments")
        }
        let per = rows / count, size = input.count / rows
        return (0..<count).map { segment in
            Tensor(shape: [per] + input.shape.dropFirst(), scalars: Array(input.scalars[(segment * per * size)..<((segment + 1) * per * size)]))
        }
    }
}

/// The objective of a ``MultiTaskScoringNetwork``'s output: the sum over the task segments of each task's mean
/// softmax cross-entropy over its own classes (the first `classCounts[k]` columns of segment `k`), so its gradient
/// is that of `Σ_t L_t`; the padding columns get zero gradient. Accuracy counts each segment over its own classes.
public struct MultiTaskObjective: Objective, Sendable {
    /// The class count of each segment's task, in segment order.
    public let classCounts: [Int]

    public init(classCounts: [Int]) {
        self.classCounts = classCounts
    }

    public func lossAndGradient(outputs: Tensor, labels: [Int]) throws -> (loss: Float, outputGradient: Tensor) {
        let (segments, width) = try split(outputs, labels)
        var gradient = [Float](repeating: 0, count: outputs.count)
        var loss: Float = 0
        var firstRow = 0
        for (logits, segmentLabels) in segments {
            let result = try SoftmaxCrossEntropy.lossAndGradient(logits: logits, labels: segmentLabels)
            loss += result.loss
            let classes = logits.shape[1]
            for row in 0..<logits.shape[0] {
                for k in 0..<classes { gradient[(firstRow + row) * width + k] = result.logitsGradient.scalars[row * classes + k] }
            }
            firstRow += logits.shape[0]
        }
        return (loss, Tensor(shape: outputs.shape, scalars: gradient))
    }

    public func correctCount(outputs: Tensor, labels: [Int]) throws -> Int {
        let (segments, _) = try split(outputs, labels)
        return try segments.reduce(0) { $0 + (try Classification.correctCount(scores: $1.0, labels: $1.1)) }
    }

    /// Each segment's logits over its task's classes with its labels, and the output width.
    private func split(_ outputs: Tensor, _ labels: [Int]) throws -> ([(Tensor, [Int])], Int) {
        guard outputs.shape.count == 2, !classCounts.isEmpty, outputs.shape[0] % classCounts.count == 0,
              labels.count == outputs.shape[0], classCounts.allSatisfy({ $0 <= outputs.shape[1] }) else {
            throw SearchError.invalidSetting("multi-task outputs \(outputs.shape) with \(labels.count) labels do not split into "
                + "\(classCounts.count) segments of \(classCounts) classes")
        }
        let width = outputs.shape[1], per = outputs.shape[0] / classCounts.count
        let segments = classCounts.enumerated().map { segment, classes in
            var scalars: [Float] = []
            scalars.reserveCapacity(per * classes)
            for row in (segment * per)..<((segment + 1) * per) {
                scalars.append(contentsOf: outputs.scalars[(row * width)..<(row * width + classes)])
            }
            return (Tensor(shape: [per, classes], scalars: scalars), Array(labels[(segment * per)..<((segment + 1) * per)]))
        }
        return (segments, width)
    }
}
