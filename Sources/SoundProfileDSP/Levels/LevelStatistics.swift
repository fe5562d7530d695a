#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Level statistics of one band over many frames, in dB SPL.
public struct LevelSummary: Sendable, Equatable, Codable {
    /// Equivalent continuous level: 10·log10 of the mean power over frames.
    public var leqDB: Double
    /// Level exceeded in 10 % of frames.
    public var l10DB: Double
    /// Level exceeded in 50 % of frames.
    public var l50DB: Double
    /// Level exceeded in 90 % of frames.
    public var l90DB: Double
    /// The lowest frame level.
    public var minDB: Double
    /// The highest frame level.
    public var maxDB: Double
}

/// Per-band level statistics over any number of frames in bounded memory.
///
/// Leq, minimum and maximum are exact; the exceedance levels L10, L50 and L90 come from a
/// histogram of frame levels with ``resolutionDB`` bins over ``histogramRange`` (levels outside
/// it count in the end bins), so they are exact to half a bin. Memory is
/// `bandCount × (range / resolution)` counters, whatever the number of frames. Two statistics
/// over the same bands merge (``merge(_:)``), so chunks or threads can be combined in any order.
///
/// Frames come in as band powers (``add(powers:)``, the fast path: one `log2f` per band, no
/// `pow`) or as band levels (``add(levels:)``). A non-finite level or power never traps: NaN
/// counts in the lowest histogram bin and makes Leq NaN; ±∞ count in the end bins.
///
/// `add` is allocation-free; it is meant for batch analysis, not the audio thread.
public struct LevelStatistics: Sendable, Equatable {
    /// Histogram bin width, in dB.
    public let resolutionDB: Double
    /// Histogram span, in dB SPL.
    public let histogramRange: ClosedRange<Double>
    /// The level in dB SPL of power 1.0 in ``add(powers:)`` (e.g. the analyzer's full-scale
    /// calibration).
    public let powerReferenceDB: Double
    /// The number of bands.
    public let bandCount: Int
    /// Frames added so far.
    public private(set) var frameCount: Int = 0

    private var counts: [UInt32]
    /// Σ power over frames, in units of the reference (power 1.0 = ``powerReferenceDB``).
    private var powerSums: [Double]
    private var minima: [Float]
    private var maxima: [Float]
    private let binsPerBand: Int

    /// Empty statistics for `bandCount` bands.
    /// - Parameters:
    ///   - bandCount: At least 1.
    ///   - resolutionDB: Histogram bin width in dB (default 0.1).
    ///   - histogramRange: Levels tracked by the histogram, in dB SPL (default −100…200).
    ///   - powerReferenceDB: The level in dB SPL of power 1.0 passed to ``add(powers:)``
    ///     (default 0: powers are 10^(L/10)).
    public init(bandCount: Int, resolutionDB: Double = 0.1, histogramRange: ClosedRange<Double> = -100...200,
                powerReferenceDB: Double = 0) {
        precondition(bandCount >= 1 && resolutionDB > 0 && powerReferenceDB.isFinite)
        self.bandCount = bandCount
        self.resolutionDB = resolutionDB
        self.histogramRange = histogramRange
        self.powerReferenceDB = powerReferenceDB
        binsPerBand = Int(((histogramRange.upperBound - histogramRange.lowerBound) / resolutionDB).rounded(.up))
        counts = [UInt32](repeating: 0, count: bandCount * binsPerBand)
        powerSums = [Double](repeating: 0, count: bandCount)
        minima = [Float](repeating: .infinity, count: bandCount)
        maxima = [Float](repeating: -.infinity, count: bandCount)
    }

    /// The histogram bin of `level`, clamped into 0..<`binsPerBand`; NaN goes to bin 0.
    /// The clamp happens in floating point, so no value can trap the conversion to `Int`.
    @inline(__always)
    private static func bin(_ level: Float, lowest: Float, perDB: Float, top: Float) -> Int {
        var x = (level - lowest) * perDB
        if !(x >= 0) { x = 0 }  // also NaN
        if x > top { x = top }
        return Int(x)
    }

    /// Adds one frame's band powers: band `b`'s level is 10·log10(max(powers[b], ``powerFloor``))
    /// + ``powerReferenceDB`` dB SPL.
    ///
    /// The fast path for analysis: the power goes straight into the Leq sum, and the level (for
    /// the histogram, minimum and maximum) costs one `log2f`.
    /// - Parameter powers: `bandCount` powers relative to the reference (precondition).
    public mutating func add(powers: UnsafeBufferPointer<Float>) {
        precondition(powers.count >= bandCount, "LevelStatistics.add: \(powers.count) powers for \(bandCount) bands")
        frameCount += 1
        let lowest = Float(histogramRange.lowerBound), perDB = Float(1 / resolutionDB), top = Float(binsPerBand - 1)
        let reference = Float(powerReferenceDB)
        let n = binsPerBand, bands = bandCount
        counts.withUnsafeMutableBufferPointer { c in
            powerSums.withUnsafeMutableBufferPointer { sums in
                minima.withUnsafeMutableBufferPointer { lo in
                    maxima.withUnsafeMutableBufferPointer { hi in
                        for b in 0..<bands {
                            let p = max(powers[b], powerFloor)
                            sums[b] += Double(p)
                            let l = decibelsPerOctave * log2f(p) + reference
                            if l < lo[b] { lo[b] = l }
                            if l > hi[b] { hi[b] = l }
                            c[b &* n &+ Self.bin(l, lowest: lowest, perDB: perDB, top: top)] &+= 1
                        }
                    }
                }
            }
        }
    }

    /// Adds one frame's band levels.
    /// - Parameter levels: `bandCount` levels in dB SPL (precondition).
    public mutating func add(levels: UnsafeBufferPointer<Float>) {
        precondition(levels.count >= bandCount, "LevelStatistics.add: \(levels.count) levels for \(bandCount) bands")
        frameCount += 1
        let lowest = Float(histogramRange.lowerBound), perDB = Float(1 / resolutionDB), top = Float(binsPerBand - 1)
        let n = binsPerBand
        counts.withUnsafeMutableBufferPointer { c in
            for b in 0..<bandCount {
                let l = levels[b]
                powerSums[b] += pow(10, (Double(l) - powerReferenceDB) / 10)
                if l < minima[b] { minima[b] = l }
                if l > maxima[b] { maxima[b] = l }
                c[b &* n &+ Self.bin(l, lowest: lowest, perDB: perDB, top: top)] &+= 1
            }
        }
    }

    /// The histogram bin of a level: levels outside the range (±∞ included) count in the end
    /// bins and NaN in the lowest, so no input level can trap the conversion to an index.
    @inline(__always)
    static func bin(level: Double, lowerBound: Double, resolution: Double, bins: Int) -> Int {
        let x = ((level - lowerBound) / resolution).rounded(.down)
        guard x >= 0 else { return 0 }  // also NaN
        return x < Double(bins - 1) ? Int(x) : bins - 1
    }

    /// Adds one frame's band levels (convenience for arrays).
    /// - Parameter levels: `bandCount` levels in dB SPL.
    public mutating func add(levels: [Float]) {
        levels.withUnsafeBufferPointer { add(levels: $0) }
    }

    /// Adds one frame's band powers (convenience for arrays); see ``add(powers:)``.
    /// - Parameter powers: `bandCount` powers relative to ``powerReferenceDB``.
    public mutating func add(powers: [Float]) {
        powers.withUnsafeBufferPointer { add(powers: $0) }
    }

    /// Combines statistics of other frames over the same bands (another chunk or thread).
    /// - Parameter other: Statistics with the same band count, resolution and range (precondition).
    public mutating func merge(_ other: LevelStatistics) {
        precondition(other.bandCount == bandCount && other.resolutionDB == resolutionDB && other.histogramRange == histogramRange
                     && other.powerReferenceDB == powerReferenceDB,
                     "LevelStatistics.merge: the two statistics track different bands or histograms")
        frameCount += other.frameCount
        for i in counts.indices { counts[i] += other.counts[i] }
        for b in 0..<bandCount {
            powerSums[b] += other.powerSums[b]
            minima[b] = min(minima[b], other.minima[b])
            maxima[b] = max(maxima[b], other.maxima[b])
        }
    }

    /// The summary of band `band`; `nil` before any frame was added.
    /// - Parameter band: Band index.
    public func summary(band: Int) -> LevelSummary? {
        guard frameCount > 0 else { return nil }
        return LevelSummary(
            leqDB: 10 * log10(powerSums[band] / Double(frameCount)) + powerReferenceDB,
            l10DB: exceeded(band: band, fraction: 0.10),
            l50DB: exceeded(band: band, fraction: 0.50),
            l90DB: exceeded(band: band, fraction: 0.90),
            minDB: Double(minima[band]), maxDB: Double(maxima[band]))
    }

    /// All bands' summaries; empty before any frame was added.
    public var summaries: [LevelSummary] {
        (0..<bandCount).compactMap { summary(band: $0) }
    }

    /// The level exceeded in `fraction` of frames, from the histogram: walking down from the
    /// loudest bin, the centre of the bin where the count of frames at or above it first
    /// reaches `fraction`·frames, clamped into [min, max].
    private func exceeded(band: Int, fraction: Double) -> Double {
        let target = max(1, Int((fraction * Double(frameCount)).rounded(.up)))
        var seen = 0
        let base = band * binsPerBand
        // Nothing lies above the maximum's bin: start the walk there.
        let top = Self.bin(maxima[band], lowest: Float(histogramRange.lowerBound), perDB: Float(1 / resolutionDB),
                           top: Float(binsPerBand - 1))
        let start = maxima[band].isNaN ? binsPerBand - 1 : min(binsPerBand - 1, top + 1)  // one bin of margin
        for bin in stride(from: start, through: 0, by: -1) {
            seen += Int(counts[base + bin])
            if seen >= target {
                let centre = histogramRange.lowerBound + (Double(bin) + 0.5) * resolutionDB
                return min(Double(maxima[band]), max(Double(minima[band]), centre))
            }
        }
        return Double(minima[band])
    }
}
