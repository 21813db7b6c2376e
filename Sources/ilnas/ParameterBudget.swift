import ArgumentParser

/// A parameter count written as `20000`, `100k`, `2.5M` or `1e5`.
struct ParameterBudget: ExpressibleByArgument, CustomStringConvertible {
    let count: Int

    init(count: Int) { self.count = count }

    init?(argument: String) {
        let text = argument.trimmingCharacters(in: .whitespaces).lowercased()
        let multipliers: [Character: Double] = ["k": 1e3, "m": 1e6]
        var number = Substring(text)
        var multiplier = 1.0
        if let last = text.last, let value = multipliers[last] {
            multiplier = value
            number = text.dropLast()
        }
        guard let value = Double(number), value.isFinite, value > 0 else { return nil }
        let total = (value * multiplier).rounded()
        guard total >= 1, total <= Double(Int32.max) else { return nil }
        count = Int(total)
    }

    var description: String { "\(count)" }
    static var defaultCompletionKind: CompletionKind { .default }
}
