/// One ear's static WDRC gains on a grid: gain in dB for each band × input band level — the
/// form pod firmware loads.
///
/// Codable as `{"centerHz": [...], "levelsDBSPL": [...], "gainsDB": [[per level] per band]}`.
/// Building allocates; ``gainDB(band:levelIndex:)`` is real-time safe.
public struct GainTable: Sendable, Equatable, Codable {
    /// Input band levels 30…100 dB SPL in 1 dB steps.
    public static let defaultLevelsDBSPL: [Double] = (30...100).map(Double.init)

    /// Band centre frequencies, in Hz, one per row of ``gainsDB``.
    public var centerHz: [Double]
    /// The input band levels of the columns, in dB SPL.
    public var levelsDBSPL: [Double]
    /// `gainsDB[band][level]`: the gain in dB.
    public var gainsDB: [[Double]]

    /// Evaluates `curves` at `levelsDBSPL`.
    /// - Parameters:
    ///   - centerHz: One centre frequency per curve, in Hz.
    ///   - curves: One curve per band.
    ///   - levelsDBSPL: Input band levels, in dB SPL (default 30…100 in 1 dB steps).
    public init(centerHz: [Double], curves: [WDRCCurve], levelsDBSPL: [Double] = GainTable.defaultLevelsDBSPL) {
        precondition(centerHz.count == curves.count, "one centre frequency per curve")
        self.centerHz = centerHz
        self.levelsDBSPL = levelsDBSPL
        self.gainsDB = curves.map { c in levelsDBSPL.map { c.gainDB(atInputDBSPL: $0) } }
    }

    /// The gain of band `band` at the level `levelsDBSPL[levelIndex]`, in dB.
    ///
    /// Real-time safe (no allocation); indices out of range trap.
    public func gainDB(band: Int, levelIndex: Int) -> Double { gainsDB[band][levelIndex] }
}
