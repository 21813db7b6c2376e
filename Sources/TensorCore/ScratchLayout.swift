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

    /// Adds the first `count` floats of `buffer` of every worker in `workers` onto `target`: per-worker partial
    /// sums (of gradients) merged once the parallel region is over.
    func add(_ buffer: Buffer, count: Int, ofWorkers workers: Range<Int>, in scratch: UnsafeMutablePointer<Float>,
             onto target: UnsafeMutablePointer<Float>) {
        for worker in workers {
            let local = pointer(buffer, worker: worker, in: scratch)
            for i in 0..<count { target[i] += local[i] }
        }
    }
}
