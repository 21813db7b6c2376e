import ModelExport
import TensorCore
import Training

/// What `ilnas evaluate` prints: the saved network of a run evaluated on the run's test set.
struct RunEvaluation: Codable {
    /// The fraction of test images classified correctly: the run's final `testAccuracy` (bit for bit with
    /// `--engine masked`; the compacted engine sums in another order, so a logit at a tie may round the other way).
    var testAccuracy: Double
    /// The fraction of test images whose label is among the network's five largest logits (ImageNet's top-5 accuracy);
    /// absent when there are five classes or fewer.
    var testTop5Accuracy: Double?
    /// The mean cross-entropy over the test images.
    var testLoss: Double
    var parameterCount: Int
    /// Multiply-accumulates of one image's forward pass.
    var multiplyAccumulates: Int
    /// The model file evaluated.
    var path: String
    /// The form of the network that computed the logits.
    var engine: InferenceEngine
    /// With the compact engine, how many of the compacted network's connections are stored sparse (the others
    /// dense); `nil` with the masked engine.
    var sparseConnections: Int?
    /// With the compact engine, the number of connections of the compacted network.
    var connections: Int?

    /// Loads the network of `folder` and evaluates it on the test set of `dataDirectory` (the embedded digits when
    /// `nil`), prepared as the run prepared its own (images of another shape adapted to the network's input first:
    /// Section 5.2's evaluation without training), in the batches the search evaluated in, with `engine` (the
    /// compact one storing weights sparse below the density `sparseBelowDensity`).
    init(folder: RunFolder, dataDirectory: String?, engine: InferenceEngine = .compact,
         sparseBelowDensity: Double = WeightLayout.measuredSparseThreshold) throws {
        let network = try folder.network()
        let test = try SearchData.testSet(directory: dataDirectory, preparation: try folder.preparation(),
                                          adaptingTo: network.inputShape)
        let outputs = network.outputNode?.realChannelCount ?? 0
        guard test.classCount == outputs else {
            throw CommandFailure(message: "\(folder.modelPath): the network tells \(outputs) classes apart, "
                + "the test set has \(test.classCount): keep evolving it on the new data with ilnas search --from")
        }
        let batches = try SearchData.testBatches(test)
        let logits: (Tensor) throws -> Tensor
        switch engine {
        case .masked:
            logits = { try network.forward($0, mode: .inference) }
        case .compact:
            let inference = try CompactInference(network.compacted(), sparseBelowDensity: sparseBelowDensity)
            logits = { try inference.logits($0) }
            sparseConnections = inference.layouts.filter { $0 == .sparse }.count
            connections = inference.layouts.count
        }
        if outputs > 5 {
            let evaluation = try Evaluation.evaluate(on: batches, topK: 5, outputs: logits)
            (testLoss, testAccuracy, testTop5Accuracy) = (Double(evaluation.loss), Double(evaluation.accuracy), Double(evaluation.topKAccuracy))
        } else {
            let evaluation = try Evaluation.evaluate(on: batches, outputs: logits)
            (testLoss, testAccuracy, testTop5Accuracy) = (Double(evaluation.loss), Double(evaluation.accuracy), nil)
        }
        parameterCount = network.parameterCount
        multiplyAccumulates = network.multiplyAccumulates
        path = folder.modelPath
        self.engine = engine
    }
}
