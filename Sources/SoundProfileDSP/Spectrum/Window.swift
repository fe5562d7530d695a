#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The analysis windows the library offers.
public enum WindowKind: String, Sendable, CaseIterable, Codable {
    /// Periodic Hann, w[n] = 0.5 − 0.5·cos(2πn/N): sums to a constant at 50 % and 75 % overlap.
    case hann
    /// Square root of the periodic Hann, w[n] = sin(πn/N): used as both analysis and synthesis
    /// window in weighted overlap-add, whose product is the Hann window.
    case sqrtHann
    /// All ones.
    case rectangular
}

/// A window of one kind and length, with its sums precomputed.
///
/// Windows are periodic (DFT-even): the length-N window is the first N points of a window of
/// period N, which is what overlap-add and spectral analysis want.
public struct Window: Sendable, Equatable {
    /// Which window this is.
    public let kind: WindowKind
    /// The window's coefficients, `count` values.
    public let values: [Float]
    /// Σ w[n]², in double precision: normalises band powers (Parseval).
    public let sumOfSquares: Double
    /// Σ w[n]: the coherent gain times the length.
    public let sum: Double

    /// Builds a window.
    ///
    /// Not real-time safe (allocates).
    /// - Parameters:
    ///   - kind: The window shape.
    ///   - count: The number of points, at least 1.
    public init(_ kind: WindowKind, count: Int) {
        precondition(count >= 1, "Window length must be at least 1, got \(count)")
        self.kind = kind
        var v = [Float](repeating: 1, count: count)
        let n = Double(count)
        for i in 0..<count {
            let x = Double(i) / n
            switch kind {
            case .hann: v[i] = Float(0.5 - 0.5 * cos(2 * Double.pi * x))
            case .sqrtHann: v[i] = Float(sin(Double.pi * x))
            case .rectangular: v[i] = 1
            }
        }
        values = v
        sumOfSquares = v.reduce(0.0) { $0 + Double($1) * Double($1) }
        sum = v.reduce(0.0) { $0 + Double($1) }
    }

    /// The number of points.
    public var count: Int { values.count }
}
