#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Linear interpolation in log10(frequency) between points sorted by increasing frequency,
/// flat beyond the first and the last point. `frequenciesHz` must be positive and increasing and
/// have as many elements as `values` (at least one).
func interpolateInLogFrequency(frequenciesHz: [Double], values: [Double], atHz f: Double) -> Double {
    precondition(!frequenciesHz.isEmpty && frequenciesHz.count == values.count)
    if f <= frequenciesHz[0] { return values[0] }
    let last = frequenciesHz.count - 1
    if f >= frequenciesHz[last] { return values[last] }
    var i = 1
    while frequenciesHz[i] < f { i += 1 }
    let lo = frequenciesHz[i - 1], hi = frequenciesHz[i]
    let t = log10(f / lo) / log10(hi / lo)
    return values[i - 1] + t * (values[i] - values[i - 1])
}

/// A frequency in Hz as a short decimal without a trailing ".0": 250 → "250", 187.5 → "187.5".
func hzString(_ hz: Double) -> String {
    if hz == hz.rounded(), abs(hz) < 1e15 { return String(Int(hz)) }
    return String(hz)
}
