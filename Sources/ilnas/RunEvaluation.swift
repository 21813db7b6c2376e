import Training

/// What `ilnas evaluate` prints: the saved network of a run evaluated on the run's test set.
struct RunEvaluation: Codable {
    /// The fraction of test images classified correctly; equal to the run's final `testAccuracy`.
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

    /// Loads the network of `folder` and evaluates it on the test set of `dataDirectory` (the embedded digits when
    /// `nil`), prepared as the run prepared its own (images of another shape adapted to the network's input first:
    /// Section 5.2's evaluation without training), in the batches the search evaluated in.
    init(folder: RunFolder, dataDirectory: String?) throws {
        let network = try folder.network()
        let test = try SearchData.testSet(directory: dataDirectory, preparation: try folder.preparation(),
                                          adaptingTo: network.inputShape)
        let outputs = network.outputNode?.realChannelCount ?? 0
        guard test.classCount == outputs else {
            throw CommandFailure(message: "\(folder.modelPath): the network tells \(outputs) classes apart, "
                + "the test set has \(test.classCount): keep evolving it on the new data with ilnas search --from")
        }
        let batches = try SearchData.testBatches(test)
        let (loss, accuracy) = try Evaluation.evaluate(network, on: batches)
        testAccuracy = Double(accuracy)
        testTop5Accuracy = outputs > 5 ? Double(try Evaluation.topKAccuracy(network, on: batches, k: 5)) : nil
        testLoss = Double(loss)
        parameterCount = network.parameterCount
        multiplyAccumulates = network.multiplyAccumulates
        path = folder.modelPath
    }
}
