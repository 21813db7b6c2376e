import ArgumentParser

/// `--compute-budget`: multiply-accumulates per image written as a count (`4M`), as a multiple of what the fixed
/// VGG-like network of the same parameter budget computes (`1x`, `1.5x`), or `none`.
enum ComputeBudgetOption: ExpressibleByArgument, CustomStringConvertible, Equatable {
    case none
    case count(Int)
    case multipleOfFixed(Double)

    init?(argument: String) {
        let text = argument.trimmingCharacters(in: .whitespaces).lowercased()
        if text == "none" {
            self = .none
        } else if text.hasSuffix("x") {
            guard let factor = Double(text.dropLast()), factor.isFinite, factor > 0 else { return nil }
            self = .multipleOfFixed(factor)
        } else {
            guard let count = ParameterBudget(argument: text)?.count else { return nil }
            self = .count(count)
        }
    }

    var description: String {
        switch self {
        case .none: return "none"
        case let .count(count): return "\(count)"
        case let .multipleOfFixed(factor): return "\(factor)x"
        }
    }

    /// The limit in multiply-accumulates per image; `fixedNetworkMACs` computes the fixed network's, when needed.
    func resolved(fixedNetworkMACs: () throws -> Int) rethrows -> Int? {
        switch self {
        case .none: return nil
        case let .count(count): return count
        case let .multipleOfFixed(factor): return Int((factor * Double(try fixedNetworkMACs())).rounded(.down))
        }
    }
}
