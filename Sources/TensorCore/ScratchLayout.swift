/// Where named buffers lie in a scratch allocation that gives each worker one block of ``perWorker`` floats.
struct ScratchLayout<Buffer: Hashable> {
    private var offsets: [Buffer: Int] = [:]
    /// Floats of one worker's block: the sum of all buffer sizes.
    private(set) var perWorker = 0

    /// Lays out the buffers one after another in the order given, with their sizes in floats.
    init(_ sizes: KeyValuePairs<Buffer, Int>) {
        for (buffer, size) in sizes {
            offsets[buffer] = perWorker
            perWorker += size
        }
    }

    /// The start of `buffer` in the block of `worker`.
    func pointer(_ buffer: Buffer, worker: Int, in scratch: UnsafeMutablePointer<Float>) -> UnsafeMutablePointer<Float> {
        assert(offsets[buffer] != nil, "buffer \(buffer) is not part of this layout")
        return scratch + worker * perWorker + offsets[buffer, default: 0]
    }
}
