import NeuralNetwork
import TensorCore

/// The trunk family of a ``MultiTaskNetwork`` as `ilnas multitask` builds it, and the network's random start.
///
/// Every hidden bias is owned by the shared part from the start, at ``initialHiddenBias``; of the trunk's weights, each
/// part of the starting counts is given at most that many in whole units drawn at random (a weight of a linear layer,
/// a `k x k` kernel of a convolution, as ``KernelGranularity`` groups them), with their default-initialised values; the
/// rest are unowned, for the search to add. Heads are dense `Linear` layers, one per task, not searched.
public enum MultiTaskTrunk: Sendable, Equatable, Codable {
    /// `Flatten`, then `Linear` + `ReLU` per width: for inputs of any shape.
    case fullyConnected(hiddenWidths: [Int])
    /// Per width of `channels` a `kernelSize x kernelSize` convolution padded to keep the image size, then `ReLU`; every
    /// convolution after the first is preceded by a 2x2 max-pool reduction (Section 4.1's template: dimension-preserving
    /// convolutions with reductions between them); then global average pooling. For image inputs `[C, H, W]`.
    case convolutional(channels: [Int], kernelSize: Int)

    /// The value every hidden bias starts at: positive, so that every hidden unit is active for some samples in every
    /// view and passes gradient to the weights the search scores (a unit whose pre-activation is zero for all samples
    /// passes none, and would never be grown).
    public static let initialHiddenBias: Float = 0.1

    /// The network of this trunk on `inputShape` with a head of `classCounts[t]` outputs per task, each part starting
    /// with at most `startingCounts[part]` weights. The same `seed` gives the same network.
    /// - Throws: ``SearchError/invalidSetting(_:)`` for empty or non-positive widths, an even or non-positive kernel, an
    ///   image too small for the reductions, a class count below 2, or starting counts that do not fit the trunk.
    public func makeNetwork(inputShape: [Int], classCounts: [Int], startingCounts: [MultiTaskNetwork.Part: Int],
                            seed: UInt64) throws -> MultiTaskNetwork {
        guard !inputShape.isEmpty, inputShape.allSatisfy({ $0 > 0 }) else {
            throw SearchError.invalidSetting("a multi-task network needs positive input sizes, got \(inputShape)")
        }
        guard !classCounts.isEmpty, classCounts.allSatisfy({ $0 >= 2 }) else {
            throw SearchError.invalidSetting("every task needs at least 2 classes, got \(classCounts)")
        }
        var generator = RandomGenerator(seed: seed)
        let (layers, features) = try trunkLayers(inputShape: inputShape, generator: &generator)
        let heads: [Layer] = classCounts.enumerated().map { task, classes in
            let head = Linear(name: "head\(task)", inputFeatures: features, outputFeatures: classes, generator: &generator)
            for parameter in head.parameters { parameter.isSearchable = false }
            return head
        }
        let trunk = Sequential(name: "trunk", layers)
        let initial = trunk.parameters.map(\.value)
        for parameter in trunk.parameters { parameter.applyMask(ArchitectureMask(shape: parameter.shape, allActive: false)) }
        let network = try MultiTaskNetwork(trunk: trunk, heads: heads, inputShape: inputShape)
        network.family = self

        for (index, parameter) in network.trunkParameters.enumerated() where parameter.role == .bias {
            for entry in 0..<parameter.count {
                try network.assign(entry: entry, inTrunkParameter: index, to: .shared, value: Self.initialHiddenBias)
            }
        }
        // The starting units: single weights of a linear layer, whole kernels of a convolution.
        let units = network.trunkParameters.indices.filter { network.trunkParameters[$0].role == .weight }.flatMap { index in
            let shape = network.trunkParameters[index].shape
            let size = shape.count == 4 ? shape[2] * shape[3] : 1
            return (0..<(network.trunkParameters[index].count / size)).map { (index, ($0 * size)..<(($0 + 1) * size)) }
        }
        let parts: [MultiTaskNetwork.Part] = [.shared] + (0..<classCounts.count).map { .task($0) }
        let order = generator.permutation(units.count)
        var next = 0
        for part in parts {
            let wanted = max(0, startingCounts[part] ?? 0)
            var given = 0
            while next < units.count, given + units[order[next]].1.count <= wanted {
                let (index, entries) = units[order[next]]
                for entry in entries {
                    try network.assign(entry: entry, inTrunkParameter: index, to: part, value: initial[index][flat: entry])
                }
                given += entries.count
                next += 1
            }
            if given + (units.first?.1.count ?? 1) <= wanted {
                throw SearchError.invalidSetting("starting parts of \(parts.reduce(0) { $0 + max(0, startingCounts[$1] ?? 0) }) weights "
                    + "do not fit a trunk of \(units.reduce(0) { $0 + $1.1.count })")
            }
        }
        return network
    }

    /// The number of weights and biases, present or absent, of the trunk and heads that
    /// ``makeNetwork(inputShape:classCounts:startingCounts:seed:)`` builds for `inputShape` and `classCounts`, or `nil`
    /// when it does not fit in an `Int`: what a file must store before the network is built from its description.
    public func parameterCount(inputShape: [Int], classCounts: [Int]) -> Int? {
        /// `a · b + c`, or `nil` on overflow.
        func multiplyAdd(_ a: Int, _ b: Int, _ c: Int) -> Int? {
            let (product, overflow) = a.multipliedReportingOverflow(by: b)
            guard !overflow else { return nil }
            let (sum, overflowAgain) = product.addingReportingOverflow(c)
            return overflowAgain ? nil : sum
        }
        var total = 0, features: Int
        switch self {
        case let .fullyConnected(widths):
            var inputs: Int? = 1
            for size in inputShape { inputs = inputs.flatMap { multiplyAdd($0, size, 0) } }
            guard var previous = inputs else { return nil }
            for width in widths {
                guard let weights = multiplyAdd(width, previous, width), let sum = multiplyAdd(1, total, weights) else { return nil }
                (total, previous) = (sum, width)
            }
            features = previous
        case let .convolutional(channels, kernelSize):
            guard var previous = inputShape.first, let area = multiplyAdd(kernelSize, kernelSize, 0) else { return nil }
            for width in channels {
                guard let taps = multiplyAdd(previous, area, 0), let weights = multiplyAdd(width, taps, width),
                      let sum = multiplyAdd(1, total, weights) else { return nil }
                (total, previous) = (sum, width)
            }
            features = previous
        }
        for classes in classCounts {
            guard let head = multiplyAdd(classes, features, classes), let sum = multiplyAdd(1, total, head) else { return nil }
            total = sum
        }
        return total
    }

    /// The trunk's layers for `inputShape` and the width of its output features.
    private func trunkLayers(inputShape: [Int], generator: inout RandomGenerator) throws -> ([Layer], Int) {
        switch self {
        case let .fullyConnected(widths):
            guard !widths.isEmpty, widths.allSatisfy({ $0 > 0 }) else {
                throw SearchError.invalidSetting("a fully connected trunk needs positive hidden widths, got \(widths)")
            }
            var layers: [Layer] = [Flatten(name: "flatten")]
            var features = inputShape.reduce(1, *)
            for (index, width) in widths.enumerated() {
                layers.append(Linear(name: "hidden\(index + 1)", inputFeatures: features, outputFeatures: width, generator: &generator))
                layers.append(ReLU(name: "relu\(index + 1)"))
                features = width
            }
            return (layers, features)
        case let .convolutional(channels, kernelSize):
            guard !channels.isEmpty, channels.allSatisfy({ $0 > 0 }) else {
                throw SearchError.invalidSetting("a convolutional trunk needs positive channel counts, got \(channels)")
            }
            guard kernelSize > 0, kernelSize % 2 == 1 else {
                throw SearchError.invalidSetting("a convolutional trunk needs an odd positive kernel size, got \(kernelSize)")
            }
            guard inputShape.count == 3 else {
                throw SearchError.invalidSetting("a convolutional trunk needs image inputs [C, H, W], got \(inputShape)")
            }
            let reductions = channels.count - 1
            guard inputShape[1] >> reductions >= 1, inputShape[2] >> reductions >= 1 else {
                throw SearchError.invalidSetting("images of \(inputShape[1])x\(inputShape[2]) are too small for the \(reductions) "
                    + "2x2 reductions of \(channels.count) convolutions")
            }
            var layers: [Layer] = []
            var previous = inputShape[0]
            for (index, width) in channels.enumerated() {
                if index > 0 { layers.append(MaxPool2d(name: "pool\(index)", kernelSize: 2)) }
                layers.append(Conv2d(name: "conv\(index + 1)", inputChannels: previous, outputChannels: width, kernelSize: kernelSize,
                                     padding: kernelSize / 2, generator: &generator))
                layers.append(ReLU(name: "relu\(index + 1)"))
                previous = width
            }
            layers.append(GlobalAvgPool(name: "gap"))
            return (layers, previous)
        }
    }
}
