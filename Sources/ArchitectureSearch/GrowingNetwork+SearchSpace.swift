import NeuralNetwork

extension GrowingNetwork: SearchSpace {
    public var network: Layer { self }

    public func searchRegions() -> [SearchRegion] {
        var regions: [SearchRegion] = []
        for node in nodes.dropFirst() {
            guard let bias = node.bias else { continue }
            let candidates = node.realChannels.filter { !bias.mask.isActive($0) }
            if !candidates.isEmpty {
                regions.append(SearchRegion(key: bias.name, label: "node\(node.id)", layout: .bias(count: node.channelCount), candidates: candidates))
            }
        }
        for edge in edges where edge.isActive {
            guard let target = node(edge.target) else { continue }
            let shape = edge.weight.shape
            let rowSize = edge.weight.count / max(1, shape[0])
            var candidates: [Int] = []
            for row in target.realChannels {
                for index in (row * rowSize)..<((row + 1) * rowSize) where !edge.weight.mask.isActive(index) {
                    candidates.append(index)
                }
            }
            guard !candidates.isEmpty else { continue }
            let layout: RegionLayout = target.isConvolution
                ? .convolution(outputs: shape[0], inputs: shape[1], kernelArea: shape[2] * shape[3])
                : .dense(outputs: shape[0], inputs: rowSize)
            regions.append(SearchRegion(key: edge.weight.name, label: "\(edge.source)->\(edge.target)", layout: layout, candidates: candidates))
        }
        return regions
    }

    /// Connections score and add their real-to-real entries; a layer scores and adds the centre taps of its
    /// diagonal (the identity it starts as), not the whole would-be tensor.
    public func structuralUnits() -> [SearchUnit] {
        if connectionCandidates.isEmpty && insertionCandidates.isEmpty { prepareCandidateParameters() }
        let connections = connectionCandidates.sorted { ($0.key.target, $0.key.source) < ($1.key.target, $1.key.source) }
            .compactMap { key, weight -> SearchUnit? in
                guard let source = node(key.source), let target = node(key.target) else { return nil }
                return SearchUnit(kind: .connection(source: key.source, target: key.target), key: weight.name,
                                  entries: realEntries(of: weight, source: source, target: target), label: key.description)
            }
        let layers = insertionCandidates.sorted { $0.key < $1.key }.compactMap { nodeID, weight -> SearchUnit? in
            guard let original = node(nodeID) else { return nil }
            return SearchUnit(kind: .layer(after: nodeID), key: weight.name,
                              entries: identityEntries(of: original), label: "after node\(nodeID)")
        }
        return connections + layers
    }

    public func beginScoring() {
        for edge in edges { fillProbeRows(of: edge) }
    }

    public func endScoring() {
        setCandidateGradients(false)
    }

    public func setCandidateGradients(_ enabled: Bool) {
        computesCandidateGradients = enabled
        if enabled { prepareCandidateParameters() } else { discardCandidateParameters() }
    }

    public func parameterTable() -> [String: Parameter] {
        var table: [String: Parameter] = [:]
        for parameter in parameters + candidateParameters { table[parameter.name] = parameter }
        return table
    }

    public func cost(of unit: SearchUnit) -> Int {
        switch unit.kind {
        case let .connection(source, target):
            return connectionCost(from: source, to: target)
        case let .layer(after):
            return insertionCost(after: after)
        case .entries:
            guard let parameter = parameter(named: unit.key) else { return 0 }
            let absent = unit.entries.filter { !parameter.mask.isActive($0) }.count
            return absent + placeholderSources(of: unit).reduce(0) { total, source in
                total + promotionCost(node: source.node, channel: source.channel)
            }
        }
    }

    /// What the architecture computes per sample: for every active connection, every pair of real channels
    /// (a compacted network computes each connection as a dense tensor over its real channels). Placeholder
    /// channels are left out: they are the search's scaffolding, not part of the architecture, and training
    /// computes them too (the run's training seconds show that cost).
    public var multiplyAccumulates: Int {
        edges.filter(\.isActive).reduce(0) { sum, edge in
            guard let source = node(edge.source), let target = node(edge.target) else { return sum }
            return sum + target.realChannelCount * source.realChannelCount * edge.weight.shape[2...].reduce(1, *) * positions(ofNode: edge.target)
        }
    }

    /// A new connection computes every pair of real channels; an inserted layer its channels against themselves;
    /// a promoted placeholder becomes a real channel of every active connection into and out of its node.
    public func multiplyAccumulatesAdded(by unit: SearchUnit) -> Int {
        switch unit.kind {
        case let .connection(sourceID, targetID):
            guard let source = node(sourceID), let target = node(targetID) else { return 0 }
            return target.realChannelCount * source.realChannelCount * weightShape(from: source, to: target)[2...].reduce(1, *)
                * positions(ofNode: targetID)
        case let .layer(after):
            guard let original = node(after) else { return 0 }
            return original.realChannelCount * original.realChannelCount * original.kernelSize * original.kernelSize * positions(ofNode: after)
        case .entries:
            let promoted = placeholderSources(of: unit)
            guard let nodeID = promoted.first?.node else { return 0 }
            return promoted.count * edges.filter(\.isActive).reduce(0) { sum, edge in
                let other = edge.target == nodeID ? edge.source : edge.source == nodeID ? edge.target : nil
                guard let other, let otherNode = node(other) else { return sum }
                return sum + otherNode.realChannelCount * edge.weight.shape[2...].reduce(1, *) * positions(ofNode: edge.target)
            }
        }
    }

    /// The spatial positions of a node's feature map (1 for linear nodes).
    private func positions(ofNode id: Int) -> Int {
        guard let node = node(id), node.isConvolution else { return 1 }
        let size = spatialSize(stage: node.stage)
        return size.height * size.width
    }

    public func add(_ unit: SearchUnit) throws {
        switch unit.kind {
        case let .connection(source, target):
            try addConnection(from: source, to: target)
        case let .layer(after):
            try insertIdentityLayer(after: after)
        case .entries:
            guard let parameter = parameter(named: unit.key) else {
                throw SearchError.invalidSetting("no parameter '\(unit.key)' in network \(name)")
            }
            for source in placeholderSources(of: unit) { promote(node: source.node, channel: source.channel) }
            for entry in unit.entries where !parameter.mask.isActive(entry) { parameter.activate(entry) }
        }
    }

    public func finishAdding() {
        for node in nodes { replenishPlaceholders(node: node.id) }
    }

    public func snapshot() -> () -> Void {
        let state = captureState()
        return { [weak self] in self?.restore(state) }
    }

    /// The bias or connection weight called `name` (entry units name only these), found without building a table.
    private func parameter(named name: String) -> Parameter? {
        edge(weightNamed: name)?.weight ?? nodes.lazy.compactMap(\.bias).first { $0.name == name }
    }

    /// The placeholder channels of source nodes that a unit of connection entries would promote.
    private func placeholderSources(of unit: SearchUnit) -> [(node: Int, channel: Int)] {
        guard let edge = edge(weightNamed: unit.key), let source = node(edge.source) else { return [] }
        let shape = edge.weight.shape
        let area = shape[2...].reduce(1, *)
        var channels: [Int] = []   // a unit spans one channel or a few: a list beats a set
        for entry in unit.entries {
            let channel = (entry / area) % shape[1]
            if source.isPlaceholder[channel], !channels.contains(channel) { channels.append(channel) }
        }
        return channels.sorted().map { (edge.source, $0) }
    }
}
