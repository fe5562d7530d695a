/// One ear's fitted result: the prescription targets and the per-band WDRC parameters.
///
/// For the streaming processor: ``layout()`` gives the bands as a ``BandLayout`` (resolve it
/// against the FFT yourself), ``curves()`` one ``WDRCCurve`` per band in the same order, and
/// each ``FittedBand`` carries the attack and release times. Building these allocates (do it in
/// `prepare`); evaluating a curve is real-time safe.
public struct EarProfile: Sendable, Equatable, Codable {
    enum CodingKeys: String, CodingKey { case targets, bands }
    /// The keys of an ear object, in the order messages list them.
    static let jsonKeys = ["targets", "bands"]

    /// Target insertion gains at 250 … 6000 Hz, for 65 dB SPL speech, in dB.
    public var targets: [TargetGain]
    /// The fitted bands, lowest first, contiguous.
    public var bands: [FittedBand]

    /// Makes an ear profile (validated by ``SoundProfile``).
    /// - Parameters:
    ///   - targets: Target insertion gains, increasing in frequency.
    ///   - bands: Fitted bands, lowest first.
    public init(targets: [TargetGain], bands: [FittedBand]) {
        self.targets = targets
        self.bands = bands
    }

    /// Decodes an ear of the profile JSON (validated by ``SoundProfile``).
    /// - Throws: ``JSONKeyError`` for a key other than `targets` and `bands`, `DecodingError`
    ///   for a missing key or a value of the wrong type.
    public init(from decoder: any Decoder) throws {
        let c = try strictContainer(decoder, allowed: Self.jsonKeys)
        targets = try c.decode([TargetGain].self, member: CodingKeys.targets)
        bands = try c.decode([FittedBand].self, member: CodingKeys.bands)
    }

    /// The bands as a layout (IEC nominal labels where the centres are IEC mid frequencies).
    /// - Throws: ``BandLayoutError`` when the bands are not contiguous and increasing.
    public func layout() throws -> BandLayout { try BandLayout(bands: bands.map(\.band)) }

    /// One static curve per band, in band order.
    /// - Throws: ``FittingError`` when a band's values are out of range.
    public func curves() throws -> [WDRCCurve] { try bands.map { try $0.curve() } }

    /// The gain table of this ear: gain for each band at each input band level.
    /// - Parameter levelsDBSPL: Input band levels, in dB SPL (default 30…100 in 1 dB steps).
    /// - Throws: ``FittingError`` when a band's values are out of range.
    public func gainTable(levelsDBSPL: [Double] = GainTable.defaultLevelsDBSPL) throws -> GainTable {
        try GainTable(centerHz: bands.map(\.centerHz), curves: curves(), levelsDBSPL: levelsDBSPL)
    }

    /// Checks targets and bands; `path` prefixes field names in errors (e.g. "ears.left").
    func validate(path: String) throws {
        guard !targets.isEmpty else { throw FittingError.emptyList(field: "\(path).targets", what: "targets") }
        for (i, t) in targets.enumerated() {
            try check(t.frequencyHz, in: Audiogram.allowedFrequenciesHz, field: "\(path).targets[\(i)].frequencyHz", unit: "Hz")
            if i > 0, t.frequencyHz <= targets[i - 1].frequencyHz {
                throw FittingError.inconsistent(field: "\(path).targets[\(i)].frequencyHz", value: t.frequencyHz,
                                                reason: "targets must increase in frequency (previous is \(fmt(targets[i - 1].frequencyHz)) Hz)")
            }
            try check(t.insertionGainDB, in: 0...FittedBand.allowedGainDB.upperBound, field: "\(path).targets[\(i)].insertionGainDB", unit: "dB")
        }
        guard !bands.isEmpty else { throw FittingError.emptyList(field: "\(path).bands", what: "bands") }
        for (i, b) in bands.enumerated() {
            try b.validate(path: "\(path).bands[\(i)]")
            if i > 0, abs(b.lowerHz - bands[i - 1].upperHz) > 1e-9 * b.lowerHz {
                throw FittingError.inconsistent(field: "\(path).bands[\(i)].lowerHz", value: b.lowerHz,
                                                reason: "bands must be contiguous: it must equal the previous upperHz (\(fmt(bands[i - 1].upperHz)) Hz)")
            }
        }
    }
}
