/// A fitting parameter given once for every band or once per band.
///
/// A number literal means the same value for every band: `options.compressionRatio = 3`.
/// A plain value.
public enum BandSetting: Sendable, Equatable, ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral {
    /// The same value for every band.
    case same(Double)
    /// One value per band, lowest band first; the count must equal the layout's band count.
    case perBand([Double])

    /// `.same(value)`.
    public init(floatLiteral value: Double) { self = .same(value) }

    /// `.same(Double(value))`.
    public init(integerLiteral value: Int) { self = .same(Double(value)) }

    /// The values for `count` bands.
    /// - Throws: ``FittingError/wrongCount(field:count:expected:)`` when a per-band list has the wrong length.
    func values(count: Int, field: String) throws -> [Double] {
        switch self {
        case .same(let v): return Array(repeating: v, count: count)
        case .perBand(let vs):
            guard vs.count == count else { throw FittingError.wrongCount(field: field, count: vs.count, expected: count) }
            return vs
        }
    }
}
