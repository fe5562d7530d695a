/// The static curve of one WDRC band: input band level in dB SPL → gain in dB.
///
/// With L the input band level, K the kneepoint, E the expansion threshold, L65 the band's
/// level for 65 dB SPL speech and G65 the prescribed gain there (DESIGN.md "Compression from
/// a prescription", Fixtures/fitting/README.md):
///
/// - compression, L ≥ K: G = G65 + (1/CR − 1)·(L − L65)
/// - linear, E ≤ L < K: G = G(K)
/// - expansion, L < E: G = G(K) + (1/ER − 1)·(L − E) (ER < 1, so gain falls as L falls)
/// - limiter: G = min(G, MPO − L), so the output L + G never exceeds MPO.
///
/// The curve is continuous at every knee. Construction validates; ``gainDB(atInputDBSPL:)-(Double)``
/// is real-time safe (no allocation, no lock, no throw).
public struct WDRCCurve: Sendable, Equatable {
    /// The speech level whose band levels set the kneepoint, in dB SPL overall.
    public static let kneepointSpeechDBSPL: Double = 40
    /// The speech level at which the prescription's gain applies, in dB SPL overall.
    public static let prescriptionSpeechDBSPL: Double = 65
    /// The allowed compression ratios.
    public static let allowedCompressionRatio: ClosedRange<Double> = 1...10

    /// The prescribed gain at ``level65DBSPL``, in dB.
    public let gain65DB: Double
    /// The band's level for 65 dB SPL speech, in dB SPL.
    public let level65DBSPL: Double
    /// The compression kneepoint (band level of 40 dB SPL speech), in dB SPL.
    public let kneepointDBSPL: Double
    /// The compression ratio above the kneepoint, 1…10 (1 is linear).
    public let compressionRatio: Double
    /// The band level below which expansion starts, in dB SPL (≤ kneepoint).
    public let expansionThresholdDBSPL: Double
    /// The expansion ratio, in (0, 1] (1 is no expansion).
    public let expansionRatio: Double
    /// The maximum power output (output band level ceiling), in dB SPL.
    public let mpoDBSPL: Double

    /// Gain at and just below the kneepoint, in dB.
    @usableFromInline let gainAtKneepointDB: Double
    /// 1/CR − 1 (≤ 0).
    @usableFromInline let compressionSlope: Double
    /// 1/ER − 1 (≥ 0).
    @usableFromInline let expansionSlope: Double

    /// Builds and validates a curve.
    /// - Parameters:
    ///   - gain65DB: Gain at `level65DBSPL`, in dB (−60…100).
    ///   - level65DBSPL: The band level of 65 dB SPL speech, in dB SPL (finite).
    ///   - kneepointDBSPL: In dB SPL, −100…140.
    ///   - compressionRatio: 1…10.
    ///   - expansionThresholdDBSPL: In dB SPL, −100…140 and at most `kneepointDBSPL`.
    ///   - expansionRatio: Greater than 0 and at most 1.
    ///   - mpoDBSPL: In dB SPL, 40…150.
    /// - Throws: ``FittingError`` naming the field, value and allowed range.
    public init(gain65DB: Double, level65DBSPL: Double, kneepointDBSPL: Double, compressionRatio: Double,
                expansionThresholdDBSPL: Double, expansionRatio: Double, mpoDBSPL: Double) throws {
        try check(gain65DB, in: FittedBand.allowedGainDB, field: "gain65DB", unit: "dB")
        guard level65DBSPL.isFinite else {
            throw FittingError.outOfRange(field: "level65DBSPL", value: level65DBSPL, allowed: "a finite level in dB SPL")
        }
        try check(kneepointDBSPL, in: FittedBand.allowedLevelDBSPL, field: "kneepointDBSPL", unit: "dB SPL")
        try check(compressionRatio, in: Self.allowedCompressionRatio, field: "compressionRatio")
        try check(expansionThresholdDBSPL, in: FittedBand.allowedLevelDBSPL, field: "expansionThresholdDBSPL", unit: "dB SPL")
        guard expansionThresholdDBSPL <= kneepointDBSPL else {
            throw FittingError.inconsistent(field: "expansionThresholdDBSPL", value: expansionThresholdDBSPL,
                                            reason: "it must be at most kneepointDBSPL (\(fmt(kneepointDBSPL)) dB SPL)")
        }
        try check(expansionRatio, above: 0, upTo: 1, field: "expansionRatio")
        try check(mpoDBSPL, in: FittedBand.allowedMPODBSPL, field: "mpoDBSPL", unit: "dB SPL")
        self.gain65DB = gain65DB
        self.level65DBSPL = level65DBSPL
        self.kneepointDBSPL = kneepointDBSPL
        self.compressionRatio = compressionRatio
        self.expansionThresholdDBSPL = expansionThresholdDBSPL
        self.expansionRatio = expansionRatio
        self.mpoDBSPL = mpoDBSPL
        self.compressionSlope = 1 / compressionRatio - 1
        self.expansionSlope = 1 / expansionRatio - 1
        self.gainAtKneepointDB = gain65DB + compressionSlope * (kneepointDBSPL - level65DBSPL)
    }

    /// The curve of a fitted band; its L65 is the kneepoint + 25 dB (the LTASS scales with the
    /// speech level, and 65 − 40 = 25), so the JSON fields alone define the curve.
    /// - Parameter band: A fitted band.
    /// - Throws: ``FittingError`` when the band's values are out of range.
    public init(band: FittedBand) throws {
        try self.init(gain65DB: band.gain65DB, level65DBSPL: band.level65DBSPL, kneepointDBSPL: band.kneepointDBSPL,
                      compressionRatio: band.compressionRatio, expansionThresholdDBSPL: band.expansionThresholdDBSPL,
                      expansionRatio: band.expansionRatio, mpoDBSPL: band.mpoDBSPL)
    }

    /// The gain for an input band level.
    /// - Parameter level: The input band level, in dB SPL.
    /// - Returns: The gain, in dB (so that level + gain ≤ MPO).
    ///
    /// Real-time safe: no allocation, no lock, no throw.
    @inlinable
    public func gainDB(atInputDBSPL level: Double) -> Double {
        let g: Double
        if level >= kneepointDBSPL {
            g = gain65DB + compressionSlope * (level - level65DBSPL)
        } else if level >= expansionThresholdDBSPL {
            g = gainAtKneepointDB
        } else {
            g = gainAtKneepointDB + expansionSlope * (level - expansionThresholdDBSPL)
        }
        return min(g, mpoDBSPL - level)
    }

    /// Single-precision form of ``gainDB(atInputDBSPL:)-(Double)`` for the audio path.
    /// - Parameter level: The input band level, in dB SPL.
    /// - Returns: The gain, in dB.
    ///
    /// Real-time safe: no allocation, no lock, no throw.
    @inlinable
    public func gainDB(atInputDBSPL level: Float) -> Float {
        Float(gainDB(atInputDBSPL: Double(level)))
    }

    /// The output band level for an input band level, in dB SPL (input + gain, ≤ MPO).
    /// - Parameter level: The input band level, in dB SPL.
    ///
    /// Real-time safe.
    @inlinable
    public func outputDBSPL(atInputDBSPL level: Double) -> Double { level + gainDB(atInputDBSPL: level) }
}
