/// The hard limits of a search, owned by the ``ArchitectureOptimizer``: present weights and biases and,
/// optionally, multiply-accumulates of one sample's forward pass.
///
/// Parameters alone do not bound time: a channel at full resolution costs few parameters and much
/// compute, which is what the optional second limit is for. The budget checks the starting network
/// (``validate(start:)``) and admits every unit before it is added (``admits(_:cost:in:)``), so a
/// search run from the library is held to the same limits as one run from the command line.
public struct SearchBudget: Sendable, Equatable, Codable {
    /// The most present weights and biases the network may ever have.
    public let parameters: Int
    /// The most multiply-accumulates per sample the network may ever compute, when limited.
    public let multiplyAccumulates: Int?

    /// A budget of `parameters` present weights and biases and, when given, `multiplyAccumulates` per sample;
    /// throws ``SearchError/invalidSetting(_:)`` unless both are positive.
    public init(parameters: Int, multiplyAccumulates: Int? = nil) throws {
        guard parameters > 0 else { throw SearchError.invalidSetting("the budget must be positive, got \(parameters)") }
        if let multiplyAccumulates, multiplyAccumulates <= 0 {
            throw SearchError.invalidSetting("the compute budget must be positive, got \(multiplyAccumulates)")
        }
        self.parameters = parameters
        self.multiplyAccumulates = multiplyAccumulates
    }

    /// Throws when the starting network of `space` already exceeds a limit: nothing could then be added
    /// without breaking it.
    public func validate(start space: any SearchSpace) throws {
        guard space.parameterCount <= parameters else {
            throw SearchError.budgetTooSmall(budget: parameters, startingParameters: space.parameterCount)
        }
        if let multiplyAccumulates, space.multiplyAccumulates > multiplyAccumulates {
            throw SearchError.computeBudgetTooSmall(budget: multiplyAccumulates, startingMultiplyAccumulates: space.multiplyAccumulates)
        }
    }

    /// Whether `unit`, which would make `cost` entries present, may be added to `space` now: it can be
    /// added at all (`cost > 0`) and both limits still hold afterwards.
    public func admits(_ unit: SearchUnit, cost: Int, in space: any SearchSpace) -> Bool {
        guard cost > 0, space.parameterCount + cost <= parameters else { return false }
        guard let multiplyAccumulates else { return true }
        let added = space.multiplyAccumulatesAdded(by: unit)
        return added == 0 || space.multiplyAccumulates + added <= multiplyAccumulates
    }

    /// What adding `unit` (which makes `cost` entries present) uses of the budgets, counted in parameters:
    /// `cost` itself plus, under a compute limit, the multiply-accumulates it adds converted at the ratio of the
    /// two limits, so that a unit taking 1% of the compute budget weighs as much as one taking 1% of the
    /// parameter budget. This is the usual greedy weight for a knapsack with two constraints; without it a
    /// search spends the compute budget on channels that are cheap in parameters (a stem at full resolution)
    /// and then can grow nowhere else.
    public func weight(of unit: SearchUnit, cost: Int, in space: any SearchSpace) -> Double {
        guard let multiplyAccumulates, cost > 0 else { return Double(cost) }
        let added = space.multiplyAccumulatesAdded(by: unit)
        return Double(cost) + Double(added) * Double(parameters) / Double(multiplyAccumulates)
    }

    /// Parameters that may still be added to `space`.
    public func remainingParameters(in space: any SearchSpace) -> Int {
        max(0, parameters - space.parameterCount)
    }
}
