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
    /// - Throws: ``FittingError`` naming the option, value and allowed range.
    public static func fit(audiogram: Audiogram, options: FittingOptions = FittingOptions()) throws -> SoundProfile {
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
                           gain65DB: targets.insertionGainDB(atHz: band.centerHz),
                           kneepointDBSPL: knees[i], compressionRatio: ratios[i],
                           expansionThresholdDBSPL: knees[i] - options.expansionBelowKneepointDB,
                           expansionRatio: options.expansionRatio,
                           mpoDBSPL: mpos?[i] ?? FittingOptions.defaultMPODBSPL(htl: thresholds.dBHL(atHz: band.centerHz)),
                           attackMilliseconds: attacks[i], releaseMilliseconds: releases[i])
            }
            ears[ear] = EarProfile(targets: targets, bands: bands)
        }
        return try SoundProfile(rule: options.prescription.name, fullScaleDBSPL: options.fullScaleDBSPL, ears: ears, preset: options.preset)
    }
}
