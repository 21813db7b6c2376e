import NeuralNetwork
import TensorCore
import XCTest

final class LeNet5Tests: XCTestCase {
    func testLeNet5HasTheReferenceShapeAndParameterCount() throws {
        var generator = RandomGenerator(seed: 1)
        let network = Sequential.leNet5(generator: &generator)
        // 61,706 parameters, as counted for the PyTorch reference model in ../shared/bench (RESULTS.md).
        XCTAssertEqual(network.parameters.map { $0.value.count }.reduce(0, +), 61_706)
        XCTAssertEqual(try network.outputShape(forInput: [3, 1, 28, 28]), [3, 10])
        var small = RandomGenerator(seed: 1)
        XCTAssertEqual(try Sequential.leNet5(classes: 4, generator: &small).outputShape(forInput: [2, 1, 28, 28]), [2, 4])
    }
}
