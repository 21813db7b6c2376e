import TensorCore

extension Sequential {
    /// The LeNet-5-like CNN for 1x28x28 images used by the MNIST example and the benchmarks (and by the
    /// PyTorch reference in `../shared/bench`): conv5x5(6, padding 2) - maxpool - conv5x5(16) - maxpool -
    /// fc120 - fc84 - fc`classes`, ReLU after every layer but the last, PyTorch's default initialisation.
    public static func leNet5(classes: Int = 10, generator: inout RandomGenerator) -> Sequential {
        Sequential(name: "lenet5", [
            Conv2d(name: "conv1", inputChannels: 1, outputChannels: 6, kernelSize: 5, padding: 2, generator: &generator),
            ReLU(name: "relu1"), MaxPool2d(name: "pool1", kernelSize: 2),
            Conv2d(name: "conv2", inputChannels: 6, outputChannels: 16, kernelSize: 5, generator: &generator),
            ReLU(name: "relu2"), MaxPool2d(name: "pool2", kernelSize: 2),
            Flatten(name: "flatten"),
            Linear(name: "fc1", inputFeatures: 400, outputFeatures: 120, generator: &generator), ReLU(name: "relu3"),
            Linear(name: "fc2", inputFeatures: 120, outputFeatures: 84, generator: &generator), ReLU(name: "relu4"),
            Linear(name: "fc3", inputFeatures: 84, outputFeatures: classes, generator: &generator),
        ])
    }
}
