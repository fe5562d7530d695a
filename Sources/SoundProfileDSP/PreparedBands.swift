#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One ear's fitted bands mapped onto a processor's bands, as flat Float arrays the audio thread
/// reads. Immutable once built; built off the audio thread and handed over atomically.
///
/// Mapping: each processor band takes the profile bands whose centre lies inside it (when the
/// processor merged narrow bands, several do). With one source band its parameters pass through
/// unchanged. With several they are combined so that speech keeps its prescribed level: the
/// kneepoint and expansion threshold (speech band levels) add as powers; the gain at 65 dB speech
/// is the speech-intensity-weighted power mean of the source gains; compression and expansion
/// ratios and attack/release times are intensity-weighted means; the MPO is the lowest source
/// MPO (never louder than any constituent band allows). A processor band that holds no profile
/// band centre takes the band nearest in log-frequency (flat beyond the fitted range).
final class PreparedBands: @unchecked Sendable {
    let count: Int
    /// The level of a signal with RMS 1.0, in dB SPL.
    let fullScaleDBSPL: Float
    /// The static curves, one per processor band, where the audio thread reads them.
    let curveBuffer: UnsafeMutableBufferPointer<WDRCCurve>
    /// Each band's MPO as a power, a fraction of full-scale mean square: 10^((MPO − cal)/10).
    let mpoPower: UnsafeMutableBufferPointer<Float>
    /// Per-block smoothing coefficients.
    let attackCoefficient: UnsafeMutableBufferPointer<Float>
    let releaseCoefficient: UnsafeMutableBufferPointer<Float>

    init(ear: EarProfile, fullScaleDBSPL: Double, layout: BandLayout, blockSeconds: Double, detectorLead: Double) throws {
        let sources = ear.bands
        guard !sources.isEmpty else { throw ProcessorConfigurationError.invalid(field: "bands", value: "[]", allowed: "at least one fitted band") }
        count = layout.count
        self.fullScaleDBSPL = Float(fullScaleDBSPL)
        var curves: [WDRCCurve] = []
        var attack: [Double] = [], release: [Double] = []
        for band in layout.bands {
            var members = sources.filter { $0.centerHz >= band.lowerHz && $0.centerHz < band.upperHz }
            if members.isEmpty {
                let nearest = sources.min { abs(log($0.centerHz / band.centerHz)) < abs(log($1.centerHz / band.centerHz)) }!
                members = [nearest]
            }
            let merged = try Self.merge(members)
            curves.append(merged.curve)
            attack.append(merged.attackMilliseconds)
            release.append(merged.releaseMilliseconds)
        }
        func buffer(_ values: [Double]) -> UnsafeMutableBufferPointer<Float> {
            let b = UnsafeMutableBufferPointer<Float>.allocate(capacity: values.count)
            _ = b.initialize(from: values.map { Float($0) })
            return b
        }
        curveBuffer = .allocate(capacity: curves.count)
        _ = curveBuffer.initialize(from: curves)
        mpoPower = buffer(curves.map { pow(10, ($0.mpoDBSPL - fullScaleDBSPL) / 10) })
        attackCoefficient = buffer(zip(curves, attack).map { curve, ms in
            Double(AttackRelease.coefficient(timeConstant: AttackRelease.attackTimeConstant(milliseconds: ms, curve: curve, detectorLead: detectorLead), blockSeconds: blockSeconds))
        })
        releaseCoefficient = buffer(zip(curves, release).map { curve, ms in
            Double(AttackRelease.coefficient(timeConstant: AttackRelease.releaseTimeConstant(milliseconds: ms, curve: curve, detectorLead: detectorLead), blockSeconds: blockSeconds))
        })
    }

    deinit {
        curveBuffer.deallocate()
        mpoPower.deallocate()
        attackCoefficient.deallocate()
        releaseCoefficient.deallocate()
    }

    /// The static gain of band `b` at smoothed input level `level` (dB SPL), in dB.
    /// Real-time safe.
    @inline(__always)
    func gainDB(band b: Int, level: Float) -> Float {
        curveBuffer[b].gainDB(atInputDBSPL: level)
    }

    struct Merged {
        var curve: WDRCCurve
        var attackMilliseconds: Double
        var releaseMilliseconds: Double
    }

    static func merge(_ bands: [FittedBand]) throws -> Merged {
        if bands.count == 1 {
            let b = bands[0]
            return Merged(curve: try b.curve(), attackMilliseconds: b.attackMilliseconds, releaseMilliseconds: b.releaseMilliseconds)
        }
        func powerSum(_ levels: [Double]) -> Double { 10 * log10(levels.reduce(0) { $0 + pow(10, $1 / 10) }) }
        let intensity = bands.map { pow(10, $0.level65DBSPL / 10) }
        let total = intensity.reduce(0, +)
        func weighted(_ value: (FittedBand) -> Double) -> Double { zip(bands, intensity).reduce(0) { $0 + value($1.0) * $1.1 } / total }
        let kneepoint = powerSum(bands.map(\.kneepointDBSPL))
        let gain = 10 * log10(zip(bands, intensity).reduce(0) { $0 + pow(10, $1.0.gain65DB / 10) * $1.1 } / total)
        let curve = try WDRCCurve(gain65DB: gain, level65DBSPL: powerSum(bands.map(\.level65DBSPL)), kneepointDBSPL: kneepoint,
                                  compressionRatio: weighted(\.compressionRatio),
                                  expansionThresholdDBSPL: min(kneepoint, powerSum(bands.map(\.expansionThresholdDBSPL))),
                                  expansionRatio: weighted(\.expansionRatio), mpoDBSPL: bands.map(\.mpoDBSPL).min()!)
        return Merged(curve: curve, attackMilliseconds: weighted(\.attackMilliseconds), releaseMilliseconds: weighted(\.releaseMilliseconds))
    }
}
