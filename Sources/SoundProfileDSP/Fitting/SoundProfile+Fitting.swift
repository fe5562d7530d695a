extension SoundProfile {
    /// Fits a profile to an audiogram (DESIGN.md "Prescriptions", "Compression from a prescription").
    ///
    /// Per ear present in the audiogram: targets from the rule at 250 … 6000 Hz (negative → 0);
    /// per band: gain65 = targets interpolated in log-frequency at the band centre (flat beyond
    /// 250 Hz and 6 kHz); kneepoint = the band's LTASS level for 40 dB SPL speech; expansion
    /// threshold = kneepoint − ``FittingOptions/expansionBelowKneepointDB``; MPO from the options
    /// or min(120, 100 + 0.2 · HTL(centre)) dB SPL; compression ratio, expansion ratio, attack and
    /// release from the options.
    /// - Parameters:
    ///   - audiogram: The wearer's audiogram (one or two ears).
    ///   - options: Rule, layout and WDRC settings (defaults: NAL-R, third-octave 125 Hz–8 kHz, CR 2).
    /// - Returns: The validated profile.
    ///
    /// Every gain and level of the result (targets, `gain65DB`, kneepoints, expansion thresholds,
    /// MPOs) is rounded to ``decibelStep`` (0.01 dB), so the profile JSON holds `12.7`, not
    /// `12.700000000000003`, and the profile in memory is exactly the one written and read back.
    /// Frequencies, ratios and times are kept as computed.
    /// - Throws: ``FittingError`` naming the option, value and allowed range.
    public static func fit(audiogram: Audiogram, options: FittingOptions = FittingOptions()) throws -> SoundProfile {
        try fit(audiogram: audiogram, options: options, rounded: true)
    }

    /// The step every fitted gain and level is rounded to, in dB.
    public static let decibelStep = 0.01

    /// `x` rounded to ``decibelStep`` (halves away from zero; never −0).
    /// Divides by the whole number 100 (not multiplies by 0.01), so the result is the double
    /// nearest to the decimal: 1270 / 100 is 12.7, 1270 · 0.01 is 12.700000000000001.
    static func roundedToStep(_ x: Double) -> Double {
        let perDB = (1 / decibelStep).rounded()
        return (x * perDB).rounded(.toNearestOrAwayFromZero) / perDB + 0
    }

    /// ``fit(audiogram:options:)``, with the rounding to ``decibelStep`` optional (the tests
    /// compare both).
    static func fit(audiogram: Audiogram, options: FittingOptions, rounded: Bool) throws -> SoundProfile {
        func r(_ x: Double) -> Double { rounded ? roundedToStep(x) : x }
        let n = options.layout.count
        try options.validate(bandCount: n)
        let ratios = try options.compressionRatio.values(count: n, field: "compressionRatio")
        let mpos = try options.mpoDBSPL?.values(count: n, field: "mpoDBSPL")
        let attacks = try options.attackMilliseconds.values(count: n, field: "attackMilliseconds")
        let releases = try options.releaseMilliseconds.values(count: n, field: "releaseMilliseconds")
        let knees = LTASS.bandLevelsDBSPL(in: options.layout, speechDBSPL: WDRCCurve.kneepointSpeechDBSPL)

        var ears: [Ear: EarProfile] = [:]
        for ear in audiogram.ears {
            guard let thresholds = audiogram[ear] else { continue }
            let targets = options.prescription.targets(for: thresholds)
            let bands = options.layout.bands.enumerated().map { i, band in
                FittedBand(centerHz: band.centerHz, lowerHz: band.lowerHz, upperHz: band.upperHz,
                           gain65DB: r(targets.insertionGainDB(atHz: band.centerHz)),
                           kneepointDBSPL: r(knees[i]), compressionRatio: ratios[i],
                           expansionThresholdDBSPL: r(knees[i] - options.expansionBelowKneepointDB),
                           expansionRatio: options.expansionRatio,
                           mpoDBSPL: r(mpos?[i] ?? FittingOptions.defaultMPODBSPL(htl: thresholds.dBHL(atHz: band.centerHz))),
                           attackMilliseconds: attacks[i], releaseMilliseconds: releases[i])
            }
            let shown = targets.map { TargetGain(frequencyHz: $0.frequencyHz, insertionGainDB: r($0.insertionGainDB)) }
            ears[ear] = EarProfile(targets: shown, bands: bands)
        }
        return try SoundProfile(rule: options.prescription.name, fullScaleDBSPL: options.fullScaleDBSPL, ears: ears, preset: options.preset)
    }
}
