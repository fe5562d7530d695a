/// How to turn an audiogram into a ``SoundProfile``. The defaults are the project's
/// conventions (DESIGN.md, Fixtures/fitting/README.md).
///
/// A plain value; validated by ``validate(bandCount:)`` when fitting. Not for the audio thread.
public struct FittingOptions: Sendable {
    /// Allowed values of ``expansionBelowKneepointDB``, in dB.
    public static let allowedExpansionBelowKneepointDB: ClosedRange<Double> = 0...60

    /// The prescription rule (default NAL-R).
    public var prescription: any Prescription = NALR()
    /// The bands (default third-octave 125 Hz – 8 kHz, IEC base-10).
    public var layout: BandLayout = FittingOptions.defaultLayout
    /// The compression ratio above the kneepoint, 1…10 (default 2.0 in every band).
    public var compressionRatio: BandSetting = .same(2.0)
    /// How far the expansion threshold lies below the kneepoint, in dB, 0…60 (default 15).
    public var expansionBelowKneepointDB: Double = 15
    /// The expansion ratio below the expansion threshold, greater than 0 and at most 1 (default 0.5).
    public var expansionRatio: Double = 0.5
    /// The MPO per band, in dB SPL, 40…150; nil (the default) means
    /// min(120, 100 + 0.2 · HTL at the band centre) dB SPL from the audiogram.
    public var mpoDBSPL: BandSetting?
    /// The attack time, in milliseconds, > 0 and ≤ 10000 (default 5 ms, ANSI S3.22).
    public var attackMilliseconds: BandSetting = .same(5)
    /// The release time, in milliseconds, > 0 and ≤ 10000 (default 50 ms, ANSI S3.22).
    public var releaseMilliseconds: BandSetting = .same(50)
    /// The level in dB SPL of a signal whose RMS is 1.0, 0…200 (default 100).
    public var fullScaleDBSPL: Double = 100
    /// The processor preset whose channels ``layout`` holds (recorded in the profile), or nil.
    public var preset: String?

    /// Fits in a processor configuration's channels (`soundprofile fit --preset NAME`): sets
    /// ``layout`` to ``ProcessorConfiguration/channels`` and records the preset's name.
    /// - Parameter configuration: A preset (or custom configuration, recorded by its name if any).
    public mutating func fitInChannels(of configuration: ProcessorConfiguration) {
        layout = configuration.channels
        preset = configuration.name
    }

    /// Third-octave bands 125 Hz – 8 kHz (IEC base-10, exact mid frequencies).
    public static let defaultLayout: BandLayout = {
        // 125…8000 Hz is a valid range, so this cannot throw.
        guard let layout = try? BandLayout.thirdOctave(from: 125, to: 8000) else { preconditionFailure("default layout") }
        return layout
    }()

    /// The default options.
    public init() {}

    /// The default options with another rule.
    /// - Parameter rule: One of the built-in rules.
    public init(rule: PrescriptionRule) { prescription = rule.prescription }

    /// The MPO the defaults give for a threshold: min(120, 100 + 0.2 · HTL) dB SPL.
    /// - Parameter htl: The threshold at the band centre, in dB HL.
    /// - Returns: The MPO, in dB SPL.
    public static func defaultMPODBSPL(htl: Double) -> Double { min(120, 100 + 0.2 * htl) }

    /// Checks every option against the layout's band count.
    /// - Parameter bandCount: The number of bands (``layout``'s count).
    /// - Throws: ``FittingError`` naming the option (with the band index for per-band values),
    ///   the value and the allowed range.
    public func validate(bandCount: Int) throws {
        guard !prescription.name.isEmpty else { throw FittingError.empty(field: "prescription.name") }
        try check(fullScaleDBSPL, in: SoundProfile.allowedFullScaleDBSPL, field: "fullScaleDBSPL", unit: "dB SPL")
        try check(expansionBelowKneepointDB, in: Self.allowedExpansionBelowKneepointDB, field: "expansionBelowKneepointDB", unit: "dB")
        try check(expansionRatio, above: 0, upTo: 1, field: "expansionRatio")
        func each(_ setting: BandSetting?, _ field: String, _ test: (Double, String) throws -> Void) throws {
            guard let setting else { return }
            let values = try setting.values(count: bandCount, field: field)
            for (i, v) in values.enumerated() {
                try test(v, setting == .same(v) ? field : "\(field)[\(i)]")
            }
        }
        try each(compressionRatio, "compressionRatio") { try check($0, in: WDRCCurve.allowedCompressionRatio, field: $1) }
        try each(mpoDBSPL, "mpoDBSPL") { try check($0, in: FittedBand.allowedMPODBSPL, field: $1, unit: "dB SPL") }
        try each(attackMilliseconds, "attackMilliseconds") {
            try check($0, above: 0, upTo: FittedBand.maximumTimeMilliseconds, field: $1, unit: "ms")
        }
        try each(releaseMilliseconds, "releaseMilliseconds") {
            try check($0, above: 0, upTo: FittedBand.maximumTimeMilliseconds, field: $1, unit: "ms")
        }
    }
}
