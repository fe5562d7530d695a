/// One ear's hearing threshold levels, in dB HL, at audiometric frequencies in Hz.
///
/// Validated on construction (see ``Audiogram`` for the rules). Between the measured
/// frequencies the threshold is interpolated linearly in log-frequency; beyond the lowest and
/// the highest measured frequency it stays flat at the end value. Construction allocates;
/// ``dBHL(atHz:)`` does not (real-time safe).
public struct HearingThresholds: Sendable, Equatable {
    /// The ear these thresholds belong to (used in error messages).
    public let ear: Ear
    /// The measured frequencies, in Hz, increasing.
    public let frequenciesHz: [Double]
    /// The thresholds at ``frequenciesHz``, in dB HL.
    public let levelsDBHL: [Double]

    /// Validates and stores one ear's thresholds.
    /// - Parameters:
    ///   - ear: The ear, named in errors.
    ///   - thresholds: (frequency in Hz, threshold in dB HL) pairs in any order.
    /// - Throws: ``AudiogramError`` naming the ear, the frequency and the value: a frequency
    ///   outside 125…8000 Hz or given twice, a threshold outside −10…120 dB HL, or a missing
    ///   500, 1000 or 2000 Hz.
    public init(ear: Ear, thresholds: [(frequencyHz: Double, dBHL: Double)]) throws {
        for p in thresholds where !(p.frequencyHz.isFinite && Audiogram.allowedFrequenciesHz.contains(p.frequencyHz)) {
            throw AudiogramError.frequencyOutOfRange(ear: ear, frequencyHz: p.frequencyHz)
        }
        let sorted = thresholds.sorted { $0.frequencyHz < $1.frequencyHz }
        for (i, p) in sorted.enumerated() {
            if i > 0, sorted[i - 1].frequencyHz == p.frequencyHz {
                throw AudiogramError.duplicateFrequency(ear: ear, frequencyHz: p.frequencyHz)
            }
            guard p.dBHL.isFinite, Audiogram.allowedDBHL.contains(p.dBHL) else {
                throw AudiogramError.thresholdOutOfRange(ear: ear, frequencyHz: p.frequencyHz, dBHL: p.dBHL)
            }
        }
        for f in Audiogram.requiredFrequenciesHz where !sorted.contains(where: { $0.frequencyHz == f }) {
            throw AudiogramError.missingFrequency(ear: ear, frequencyHz: f)
        }
        self.ear = ear
        self.frequenciesHz = sorted.map(\.frequencyHz)
        self.levelsDBHL = sorted.map(\.dBHL)
    }

    /// Validates and stores one ear's thresholds given as a dictionary.
    /// - Parameters:
    ///   - ear: The ear, named in errors.
    ///   - dBHLByHz: Threshold in dB HL keyed by frequency in Hz.
    /// - Throws: ``AudiogramError`` as ``init(ear:thresholds:)``.
    public init(ear: Ear, dBHLByHz: [Double: Double]) throws {
        try self.init(ear: ear, thresholds: dBHLByHz.map { (frequencyHz: $0.key, dBHL: $0.value) })
    }

    /// The threshold at any frequency, in dB HL: linear in log10(frequency) between measured
    /// points, flat beyond the ends.
    /// - Parameter f: The frequency, in Hz (positive).
    /// - Returns: The threshold, in dB HL.
    ///
    /// Real-time safe: no allocation.
    public func dBHL(atHz f: Double) -> Double {
        interpolateInLogFrequency(frequenciesHz: frequenciesHz, values: levelsDBHL, atHz: f)
    }
}
