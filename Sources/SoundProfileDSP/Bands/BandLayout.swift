#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One analysis band: a frequency interval [lowerHz, upperHz) and its centre.
public struct Band: Sendable, Equatable, Hashable, Codable {
    /// The lower edge, in Hz (inclusive).
    public var lowerHz: Double
    /// The upper edge, in Hz (exclusive).
    public var upperHz: Double
    /// The centre (mid-band) frequency, in Hz: exact, not the nominal label.
    public var centerHz: Double
    /// A short human label: the IEC nominal frequency ("31.5", "1k", "12.5k") or a range
    /// ("125–160") for merged bands.
    public var label: String

    /// Makes a band.
    /// - Parameters:
    ///   - lowerHz: The lower edge, in Hz.
    ///   - upperHz: The upper edge, in Hz.
    ///   - centerHz: The centre frequency, in Hz; defaults to the geometric mean of the edges.
    ///   - label: A human label; defaults to the rounded centre frequency.
    public init(lowerHz: Double, upperHz: Double, centerHz: Double? = nil, label: String? = nil) {
        self.lowerHz = lowerHz
        self.upperHz = upperHz
        let c = centerHz ?? (lowerHz * upperHz).squareRoot()
        self.centerHz = c
        self.label = label ?? Band.shortLabel(c)
    }

    /// The width, in Hz.
    public var widthHz: Double { upperHz - lowerHz }

    static func shortLabel(_ hz: Double) -> String {
        if hz >= 1000 {
            let k = (hz / 10).rounded() / 100
            return trimmed(k) + "k"
        }
        return trimmed((hz * 10).rounded() / 10)
    }

    static func trimmed(_ x: Double) -> String {
        // Int(x) traps beyond ±9.2e18: only small whole numbers print without a fraction.
        if x == x.rounded(), abs(x) < 1e15 { return String(Int(x)) }
        var s = String(x)
        // Trailing zeros of a fraction only: "1e+300" must keep its exponent.
        if s.contains("."), !s.contains("e") {
            while s.hasSuffix("0") { s.removeLast() }
        }
        return s
    }
}

/// What to do with a band narrower than the FFT's bin spacing.
public enum NarrowBandPolicy: String, Sendable, CaseIterable, Codable {
    /// Refuse the layout with ``BandLayoutError/bandTooNarrow(label:widthHz:binSpacingHz:smallestFFTSize:)``.
    case reject
    /// Merge each narrow band with its neighbours until every band is at least one bin wide.
    case merge
}

/// Why a band layout is not valid.
public enum BandLayoutError: Error, Equatable, CustomStringConvertible {
    /// A frequency range that is empty or not inside (0, fs/2).
    case invalidRange(lowerHz: Double, upperHz: Double, allowed: String)
    /// A band count outside its allowed range.
    case invalidBandCount(Int, allowed: ClosedRange<Int>)
    /// Custom edges that are too few, not finite, not positive or not strictly increasing.
    case invalidEdges(index: Int, value: Double, reason: String)
    /// A band narrower than the FFT bin spacing, with the smallest even FFT size that resolves it.
    case bandTooNarrow(label: String, widthHz: Double, binSpacingHz: Double, smallestFFTSize: Int)
    /// No band lies below the Nyquist frequency.
    case noBandsBelowNyquist(nyquistHz: Double)
    /// A sample rate outside 8 kHz…96 kHz.
    case invalidSampleRate(Double)

    public var description: String {
        switch self {
        case let .invalidRange(lo, hi, allowed):
            "range \(fmt(lo))–\(fmt(hi)) Hz is not allowed: \(allowed)"
        case let .invalidBandCount(n, allowed):
            "band count \(n) is not allowed: it must be \(allowed.lowerBound)…\(allowed.upperBound)"
        case let .invalidEdges(i, v, reason):
            "band edge #\(i) (\(fmt(v)) Hz) is not allowed: \(reason)"
        case let .bandTooNarrow(label, width, spacing, n):
            "band \(label) Hz is \(fmt(width)) Hz wide, narrower than the FFT bin spacing \(fmt(spacing)) Hz; "
                + "an FFT of at least \(n) points resolves it (or merge narrow bands)"
        case let .noBandsBelowNyquist(nyq):
            "no band lies below the Nyquist frequency \(fmt(nyq)) Hz"
        case let .invalidSampleRate(fs):
            "sampleRate \(fmt(fs)) Hz is not allowed: it must be 8000…96000 Hz"
        }
    }
}

func fmt(_ x: Double) -> String {
    let r = (x * 100).rounded() / 100
    // Beyond ±1.8e306 the scaling overflows: show such a value as it is, not as "inf".
    return Band.trimmed(r.isFinite || !x.isFinite ? r : x)
}

/// The sample rates the library accepts, in Hz.
public let supportedSampleRates: ClosedRange<Double> = 8000...96000

/// A set of contiguous analysis bands, lowest first.
///
/// Build one with ``thirdOctave(from:to:)``, ``octave(from:to:)``, ``erb(count:from:to:)``,
/// ``logSpaced(count:from:to:)`` or ``custom(edges:)``; fit it to an FFT with
/// ``resolved(sampleRate:fftSize:policy:)``. Building layouts is not real-time safe.
public struct BandLayout: Sendable, Equatable, Codable {
    /// The bands, lowest first; each band's upper edge is the next band's lower edge.
    public let bands: [Band]
    /// For a resolved layout, the indices of the original layout's bands that each band holds
    /// (a one-element range unless bands were merged). For an unresolved layout, `i..<i+1`.
    public let sources: [Range<Int>]

    /// Makes a layout from bands that must be contiguous and increasing.
    /// - Parameter bands: The bands, lowest first.
    /// - Throws: ``BandLayoutError/invalidEdges(index:value:reason:)`` when they are not.
    public init(bands: [Band]) throws {
        guard !bands.isEmpty else { throw BandLayoutError.invalidEdges(index: 0, value: 0, reason: "a layout needs at least one band") }
        for (i, b) in bands.enumerated() {
            guard b.lowerHz.isFinite, b.upperHz.isFinite, b.lowerHz >= 0, b.upperHz > b.lowerHz else {
                throw BandLayoutError.invalidEdges(index: i, value: b.lowerHz, reason: "each band needs 0 ≤ lowerHz < upperHz")
            }
            if i > 0, abs(bands[i - 1].upperHz - b.lowerHz) > 1e-9 * b.lowerHz {
                throw BandLayoutError.invalidEdges(index: i, value: b.lowerHz, reason: "bands must be contiguous (lowerHz = previous upperHz)")
            }
        }
        self.init(uncheckedBands: bands, sources: bands.indices.map { $0..<($0 + 1) })
    }

    init(uncheckedBands: [Band], sources: [Range<Int>]) {
        self.bands = uncheckedBands
        self.sources = sources
    }

    /// The number of bands.
    public var count: Int { bands.count }

    // MARK: IEC 61260-1 base-10

    /// Exact mid-band frequency of third-octave band `x` (IEC 61260-1, base 10): 1000·10^(x/10) Hz.
    public static func thirdOctaveMidHz(_ x: Int) -> Double { 1000 * pow(10, Double(x) / 10) }

    /// Exact mid-band frequency of octave band `x` (IEC 61260-1, base 10): 1000·10^(3x/10) Hz.
    public static func octaveMidHz(_ x: Int) -> Double { 1000 * pow(10, 3 * Double(x) / 10) }

    /// The IEC nominal label of the third-octave band `x` ("25", "31.5", … "1k", … "20k").
    public static func nominalLabel(thirdOctave x: Int) -> String {
        let mantissas = [1.0, 1.25, 1.6, 2.0, 2.5, 3.15, 4.0, 5.0, 6.3, 8.0]
        let decade = Int((Double(x) / 10).rounded(.down))
        let m = mantissas[x - 10 * decade]
        let hz = m * pow(10, Double(decade + 3))
        if hz >= 1000 { return Band.trimmed((hz / 10).rounded() / 100) + "k" }
        return Band.trimmed((hz * 100).rounded() / 100)
    }

    /// Third-octave bands (IEC 61260-1 base-10) from the band that contains `lowHz` to the band
    /// that contains `highHz`.
    /// - Parameters:
    ///   - lowHz: In Hz, e.g. 25 (nominal values are fine: 31.5 selects the 31.62 Hz band).
    ///   - highHz: In Hz, above `lowHz`.
    /// - Throws: ``BandLayoutError/invalidRange(lowerHz:upperHz:allowed:)``.
    public static func thirdOctave(from lowHz: Double, to highHz: Double) throws -> BandLayout {
        try iec(from: lowHz, to: highHz, step: 1)
    }

    /// Octave bands (IEC 61260-1 base-10) from the band that contains `lowHz` to the band that
    /// contains `highHz`.
    /// - Parameters:
    ///   - lowHz: In Hz.
    ///   - highHz: In Hz, above `lowHz`.
    /// - Throws: ``BandLayoutError/invalidRange(lowerHz:upperHz:allowed:)``.
    public static func octave(from lowHz: Double, to highHz: Double) throws -> BandLayout {
        try iec(from: lowHz, to: highHz, step: 3)
    }

    private static func iec(from lowHz: Double, to highHz: Double, step: Int) throws -> BandLayout {
        try checkRange(lowHz, highHz, allowSingle: true)
        let halfWidth = Double(step) / 20  // edges at f_m·10^(±step/20)
        // Band x contains f when f_m(x)·10^(-h) ≤ f < f_m(x)·10^(h): x = round(10·log10(f/1000)/step).
        func index(_ f: Double) -> Int { Int((10 * log10(f / 1000) / Double(step)).rounded()) }
        let first = index(lowHz), last = index(highHz)
        var bands: [Band] = []
        for i in first...last {
            let x = i * step
            let mid = thirdOctaveMidHz(x)
            bands.append(Band(lowerHz: mid * pow(10, -halfWidth), upperHz: mid * pow(10, halfWidth),
                              centerHz: mid, label: nominalLabel(thirdOctave: x)))
        }
        // Consecutive edges are computed from different mids; make them identical.
        for i in 1..<bands.count { bands[i].lowerHz = bands[i - 1].upperHz }
        return BandLayout(uncheckedBands: bands, sources: bands.indices.map { $0..<($0 + 1) })
    }

    // MARK: ERB, log-spaced, custom

    /// ERB-number (Cam) of a frequency, Glasberg & Moore (1990): 21.4·log10(1 + 0.00437·f).
    public static func erbNumber(hz: Double) -> Double { 21.4 * log10(1 + 0.00437 * hz) }

    /// The frequency in Hz of an ERB-number.
    public static func hz(erbNumber e: Double) -> Double { (pow(10, e / 21.4) - 1) / 0.00437 }

    /// `count` bands equally spaced on the ERB-number scale between `lowHz` and `highHz`;
    /// each centre is the frequency of its mid ERB-number.
    /// - Throws: ``BandLayoutError`` for a bad count (1…200) or range.
    public static func erb(count: Int, from lowHz: Double, to highHz: Double) throws -> BandLayout {
        try checkRange(lowHz, highHz)
        try checkCount(count)
        let e0 = erbNumber(hz: lowHz), e1 = erbNumber(hz: highHz)
        let edges = (0...count).map { i in i == 0 ? lowHz : i == count ? highHz : hz(erbNumber: e0 + (e1 - e0) * Double(i) / Double(count)) }
        let bands = (0..<count).map { i in
            Band(lowerHz: edges[i], upperHz: edges[i + 1], centerHz: hz(erbNumber: e0 + (e1 - e0) * (Double(i) + 0.5) / Double(count)))
        }
        return BandLayout(uncheckedBands: bands, sources: bands.indices.map { $0..<($0 + 1) })
    }

    /// `count` bands with geometrically spaced edges between `lowHz` and `highHz`; centres are
    /// geometric means of the edges.
    /// - Throws: ``BandLayoutError`` for a bad count (1…200) or range.
    public static func logSpaced(count: Int, from lowHz: Double, to highHz: Double) throws -> BandLayout {
        try checkRange(lowHz, highHz)
        try checkCount(count)
        let ratio = highHz / lowHz
        let edges = (0...count).map { i in i == count ? highHz : lowHz * pow(ratio, Double(i) / Double(count)) }
        let bands = (0..<count).map { Band(lowerHz: edges[$0], upperHz: edges[$0 + 1]) }
        return BandLayout(uncheckedBands: bands, sources: bands.indices.map { $0..<($0 + 1) })
    }

    /// Bands between consecutive `edges` (in Hz, strictly increasing, at least two, first > 0);
    /// centres are geometric means of the edges.
    /// - Throws: ``BandLayoutError/invalidEdges(index:value:reason:)``.
    public static func custom(edges: [Double]) throws -> BandLayout {
        guard edges.count >= 2 else {
            throw BandLayoutError.invalidEdges(index: edges.count, value: edges.first ?? 0, reason: "at least two edges are needed")
        }
        for (i, e) in edges.enumerated() {
            guard e.isFinite, e > 0 else { throw BandLayoutError.invalidEdges(index: i, value: e, reason: "edges must be finite and > 0 Hz") }
            if i > 0, e <= edges[i - 1] {
                throw BandLayoutError.invalidEdges(index: i, value: e, reason: "edges must increase strictly (previous is \(fmt(edges[i - 1])) Hz)")
            }
        }
        let bands = (0..<(edges.count - 1)).map { Band(lowerHz: edges[$0], upperHz: edges[$0 + 1]) }
        return BandLayout(uncheckedBands: bands, sources: bands.indices.map { $0..<($0 + 1) })
    }

    private static func checkRange(_ lo: Double, _ hi: Double, allowSingle: Bool = false) throws {
        guard lo.isFinite, hi.isFinite, lo > 0, allowSingle ? hi >= lo : hi > lo, hi <= supportedSampleRates.upperBound / 2 else {
            throw BandLayoutError.invalidRange(lowerHz: lo, upperHz: hi, allowed: "it needs 0 < low \(allowSingle ? "≤" : "<") high ≤ \(fmt(supportedSampleRates.upperBound / 2)) Hz")
        }
    }

    private static func checkCount(_ n: Int) throws {
        guard (1...200).contains(n) else { throw BandLayoutError.invalidBandCount(n, allowed: 1...200) }
    }

    // MARK: Fitting a layout to an FFT

    /// This layout as an FFT of `fftSize` points at `sampleRate` can resolve it.
    ///
    /// Bands whose upper edge lies above the Nyquist frequency fs/2 are dropped. A band narrower
    /// than the bin spacing fs/N is rejected or merged with its neighbours, as `policy` says:
    /// merging walks up from the lowest band, joining bands until the joined band is at least one
    /// bin wide; a narrow remainder at the top joins the band below it. ``sources`` tells which
    /// original bands each resulting band holds.
    /// - Parameters:
    ///   - sampleRate: In Hz, 8000…96000.
    ///   - fftSize: FFT length in samples.
    ///   - policy: ``NarrowBandPolicy/reject`` or ``NarrowBandPolicy/merge``.
    /// - Returns: The resolved layout.
    /// - Throws: ``BandLayoutError``.
    public func resolved(sampleRate: Double, fftSize: Int, policy: NarrowBandPolicy) throws -> BandLayout {
        guard supportedSampleRates.contains(sampleRate) else { throw BandLayoutError.invalidSampleRate(sampleRate) }
        let nyquist = sampleRate / 2
        let spacing = sampleRate / Double(fftSize)
        let kept = bands.indices.filter { bands[$0].upperHz <= nyquist * (1 + 1e-12) }
        guard !kept.isEmpty else { throw BandLayoutError.noBandsBelowNyquist(nyquistHz: nyquist) }
        // Relative slack so that a band exactly one bin wide is not rejected by rounding.
        let minWidth = spacing * (1 - 1e-9)
        switch policy {
        case .reject:
            for i in kept where bands[i].widthHz < minWidth {
                let smallest = fftSizeResolving(widthHz: bands[i].widthHz, sampleRate: sampleRate)
                throw BandLayoutError.bandTooNarrow(label: bands[i].label, widthHz: bands[i].widthHz,
                                                    binSpacingHz: spacing, smallestFFTSize: smallest)
            }
            return BandLayout(uncheckedBands: kept.map { bands[$0] }, sources: kept.map { sources[$0] })
        case .merge:
            var groups: [Range<Int>] = []  // ranges of indices into `bands`
            var start = kept[0]
            for i in kept {
                if bands[i].upperHz - bands[start].lowerHz >= minWidth {
                    groups.append(start..<(i + 1))
                    start = i + 1
                }
            }
            if start <= kept[kept.count - 1] {  // a narrow remainder at the top
                if let last = groups.popLast() {
                    groups.append(last.lowerBound..<(kept[kept.count - 1] + 1))
                } else {
                    let b = bands[kept[kept.count - 1]]
                    let whole = bands[kept[0]].lowerHz...b.upperHz
                    let smallest = fftSizeResolving(widthHz: whole.upperBound - whole.lowerBound, sampleRate: sampleRate)
                    throw BandLayoutError.bandTooNarrow(label: "\(bands[kept[0]].label)–\(b.label)", widthHz: whole.upperBound - whole.lowerBound,
                                                        binSpacingHz: spacing, smallestFFTSize: smallest)
                }
            }
            var merged: [Band] = []
            var mergedSources: [Range<Int>] = []
            for g in groups {
                let lo = bands[g.lowerBound], hi = bands[g.upperBound - 1]
                if g.count == 1 {
                    merged.append(lo)
                } else {
                    merged.append(Band(lowerHz: lo.lowerHz, upperHz: hi.upperHz, label: "\(lo.label)–\(hi.label)"))
                }
                mergedSources.append(sources[g.lowerBound].lowerBound..<sources[g.upperBound - 1].upperBound)
            }
            return BandLayout(uncheckedBands: merged, sources: mergedSources)
        }
    }
}

/// The smallest even FFT length whose bin spacing fs/N is at most `widthHz`, saturating at
/// `Int.max / 2` rather than trapping for absurdly narrow bands (custom edges 1e-300 Hz apart).
func fftSizeResolving(widthHz: Double, sampleRate: Double) -> Int {
    let n = (sampleRate / widthHz).rounded(.up)
    guard n.isFinite, n < Double(Int.max / 4) else { return Int.max / 2 }
    let whole = Int(n)
    return whole + whole % 2
}
