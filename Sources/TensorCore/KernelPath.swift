import CConvolution
import Foundation

/// The instruction set the framework's own vector kernels (``SmallChannelConvolution``, im2col's unfolding) run with,
/// chosen at run time: the widest this CPU supports, or the one the environment variable `ILNAS_KERNELS` names.
public enum KernelPath: String, Sendable, CaseIterable {
    /// The compiler's baseline vectors (SSE2 on x86-64): every CPU.
    case portable
    /// AVX2 with fused multiply-add, 8-float vectors.
    case avx2
    /// AVX-512F, 16-float vectors.
    case avx512

    /// The environment variable that forces a path: `ILNAS_KERNELS=portable`, `avx2` or `avx512`.
    public static let environmentVariable = "ILNAS_KERNELS"

    /// Whether this CPU runs the path.
    public var isSupported: Bool { ilnas_cpu_supports(cPath) != 0 }

    /// The path in use: `ILNAS_KERNELS`'s when set, else the widest supported; a thrown error names an unknown
    /// value or one this CPU cannot run.
    public static func current() throws -> KernelPath { try selected.get() }

    /// `path` when this CPU runs it, ``current()`` when `path` is `nil`; throws for a path the CPU lacks, whose
    /// instructions would stop the process.
    static func checked(_ path: KernelPath?) throws -> KernelPath {
        guard let path else { return try current() }
        guard path.isSupported else {
            throw TensorError.invalidArgument(operation: "conv2d", reason: "this CPU cannot run the \(path.rawValue) kernels")
        }
        return path
    }

    private static let selected = Result<KernelPath, any Error> {
        try resolve(environmentValue: ProcessInfo.processInfo.environment[environmentVariable])
    }

    /// The path that `value` of `ILNAS_KERNELS` selects (`nil` or empty: the widest supported).
    static func resolve(environmentValue value: String?) throws -> KernelPath {
        guard let value, !value.isEmpty else { return allCases.last { $0.isSupported } ?? .portable }
        guard let path = KernelPath(rawValue: value.lowercased()) else {
            throw TensorError.invalidArgument(operation: environmentVariable,
                reason: "'\(value)' is not a kernel path; use one of \(allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard path.isSupported else {
            throw TensorError.invalidArgument(operation: environmentVariable, reason: "this CPU does not run \(value)")
        }
        return path
    }

    var cPath: ilnas_kernel_path {
        switch self {
        case .portable: return ilnas_kernel_portable
        case .avx2: return ilnas_kernel_avx2
        case .avx512: return ilnas_kernel_avx512
        }
    }
}
