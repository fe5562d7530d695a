/// Why a verification could not run.
public enum TestBoxError: Error, Equatable, CustomStringConvertible {
    /// A tolerance outside its allowed range.
    case invalidTolerance(field: String, value: Double, allowed: String)

    public var description: String {
        switch self {
        case let .invalidTolerance(field, value, allowed): "\(field) \(value) is not allowed: it must be \(allowed)"
        }
    }
}
