#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a processor configuration is not valid.
public enum ProcessorConfigurationError: Error, Equatable, CustomStringConvertible {
    /// A field outside its allowed values.
    case invalid(field: String, value: String, allowed: String)
    /// The profile has no fitting for the requested ear.
    case missingEar(Ear, available: [Ear])

    public var description: String {
        switch self {
        case let .invalid(field, value, allowed): "\(field) \(value) is not allowed: \(allowed)"
        case let .missingEar(ear, available):
            "the profile has no \(ear.rawValue) ear (it has: \(available.map(\.rawValue).joined(separator: ", ")))"
        }
    }
}

/// Block size, FFT size and sample rate of a ``ProfileProcessor``, and the channels it detects
/// levels and compresses in.
///
/// The processor runs weighted overlap-add with √Hann analysis and synthesis windows: each block
/// of `hop` new samples produces one frame of `fftSize` samples, so `fftSize` must be a whole
/// multiple (at least 2) of `hop`. An output limiter looks 1 ms ahead. The algorithmic latency is
/// `fftSize − hop` samples plus the limiter's look-ahead (``latencySamples``).
///
/// **Channels.** Levels are detected and compression is applied in *channels*: contiguous runs of
/// whole FFT bins, each at least ``minimumChannelBins`` bins wide so that a window's main lobe
/// (±1.5 bins for √Hann) fits inside a channel and a tone reads its true level. Channel *c*
/// covering bins `k0..<k1` spans [(k0 − ½)·Δf, (k1 − ½)·Δf) clipped to [0, fs/2], Δf = fs/fftSize.
/// The presets have hand-chosen channels, narrow at low frequencies and wider towards fs/2
/// (log-like where the resolution allows); other configurations get ERB-spaced channels.
public struct ProcessorConfiguration: Sendable, Equatable, CustomStringConvertible {
    /// A preset name, or nil for a custom configuration.
    public var name: String?
    /// In Hz, 8000…96000.
    public var sampleRate: Double
    /// Samples per block (the frame advance).
    public var hop: Int
    /// FFT length in samples.
    public var fftSize: Int
    /// The channel widths in FFT bins, lowest channel first; they sum to `fftSize/2 + 1` and each
    /// is at least ``minimumChannelBins``. Nil: ERB-spaced channels (``defaultChannelBins(binCount:)``).
    public var channelBins: [Int]?

    /// The narrowest channel, in FFT bins: a √Hann main lobe spans 3 bins.
    public static let minimumChannelBins = 3
    /// The limiter's look-ahead, in seconds.
    public static let lookAheadSeconds = 0.001

    /// Third-octave bands 125 Hz–8 kHz (the fitting default, and the bands of a profile fitted
    /// without a preset).
    public static let defaultLayout: BandLayout = {
        // swiftlint:disable:next force_try
        try! BandLayout.thirdOctave(from: 125, to: 8000)
    }()

    /// A configuration; call ``validate()`` (or let ``ProfileProcessor`` do it).
    /// - Parameters:
    ///   - name: A preset name, or nil.
    ///   - sampleRate: In Hz.
    ///   - hop: Samples per block.
    ///   - fftSize: FFT length in samples.
    ///   - channelBins: Channel widths in bins (nil: ERB-spaced channels).
    public init(name: String? = nil, sampleRate: Double, hop: Int, fftSize: Int, channelBins: [Int]? = nil) {
        self.name = name
        self.sampleRate = sampleRate
        self.hop = hop
        self.fftSize = fftSize
        self.channelBins = channelBins
    }

    /// 16 kHz, hop 16 (1 ms), FFT 64: 8 channels (Δf = 250 Hz).
    public static let pod16k = ProcessorConfiguration(name: "pod16k", sampleRate: 16000, hop: 16, fftSize: 64,
                                                      channelBins: [3, 3, 3, 4, 4, 5, 5, 6])
    /// 24 kHz, hop 32 (1.33 ms), FFT 128: 12 channels (Δf = 187.5 Hz).
    public static let pod24k = ProcessorConfiguration(name: "pod24k", sampleRate: 24000, hop: 32, fftSize: 128,
                                                      channelBins: [3, 3, 3, 3, 4, 4, 5, 6, 7, 8, 9, 10])
    /// 48 kHz, hop 64 (1.33 ms), FFT 256: 16 channels (Δf = 187.5 Hz).
    public static let studio48k = ProcessorConfiguration(name: "studio48k", sampleRate: 48000, hop: 64, fftSize: 256,
                                                         channelBins: [3, 3, 3, 3, 4, 4, 5, 5, 6, 7, 8, 10, 12, 14, 18, 24])
    /// The presets, by name.
    public static let presets: [ProcessorConfiguration] = [.pod16k, .pod24k, .studio48k]

    /// The preset called `name`, or nil.
    public static func preset(named name: String) -> ProcessorConfiguration? { presets.first { $0.name == name } }

    /// The number of FFT bins, `fftSize/2 + 1`.
    public var binCount: Int { fftSize / 2 + 1 }
    /// The bin spacing Δf, in Hz.
    public var binSpacingHz: Double { sampleRate / Double(fftSize) }
    /// The channel widths in bins in force (``channelBins`` or the ERB-spaced default).
    public var channelWidths: [Int] { channelBins ?? Self.defaultChannelBins(binCount: binCount) }
    /// The limiter's look-ahead in samples (1 ms, rounded).
    public var lookAheadSamples: Int { max(1, Int((sampleRate * Self.lookAheadSeconds).rounded())) }
    /// The algorithmic latency in samples: `fftSize − hop` for the overlap-add plus the limiter's look-ahead.
    public var latencySamples: Int { fftSize - hop + lookAheadSamples }
    /// The algorithmic latency in milliseconds.
    public var latencyMilliseconds: Double { Double(latencySamples) / sampleRate * 1000 }
    /// How far ahead of the output the level detector sees, in seconds: (fftSize/2 − hop)/sampleRate
    /// (see ``AttackRelease``).
    public var detectorLeadSeconds: Double { Double(max(0, fftSize / 2 - hop)) / sampleRate }
    /// The block period in seconds (`hop / sampleRate`).
    public var blockSeconds: Double { Double(hop) / sampleRate }

    /// The channels as bands in Hz (see the type's discussion), with rounded-centre labels.
    /// Requires a valid configuration.
    public var channels: BandLayout {
        let df = binSpacingHz, nyquist = sampleRate / 2
        var bands: [Band] = []
        var start = 0
        for width in channelWidths {
            let lo = max(0, (Double(start) - 0.5) * df)
            let hi = start + width >= binCount ? nyquist : min(nyquist, (Double(start + width) - 0.5) * df)
            let centre = lo > 0 ? (lo * hi).squareRoot() : hi / 2
            bands.append(Band(lowerHz: lo, upperHz: hi, centerHz: centre))
            start += width
        }
        return BandLayout(uncheckedBands: bands, sources: bands.indices.map { $0..<($0 + 1) })
    }

    /// ERB-spaced channel widths for `binCount` bins: up to 16 channels, each at least
    /// ``minimumChannelBins`` wide, edges equally spaced on the ERB-number scale and snapped to bins.
    /// - Parameter binCount: `fftSize/2 + 1` (at least ``minimumChannelBins``).
    /// - Returns: Widths in bins, lowest first, summing to `binCount`.
    public static func defaultChannelBins(binCount: Int) -> [Int] {
        let minimum = minimumChannelBins
        let count = max(1, min(16, binCount / (minimum + 1)))
        let top = BandLayout.erbNumber(hz: Double(binCount) - 0.5)  // in "bins as Hz": the scale's shape only
        var edges = [0]
        for i in 1..<count {
            let e = Int((BandLayout.hz(erbNumber: top * Double(i) / Double(count)) + 0.5).rounded())
            let previous = edges[edges.count - 1]
            edges.append(max(previous + minimum, e))
        }
        while let last = edges.last, edges.count > 1, binCount - last < minimum { edges.removeLast() }
        edges.append(binCount)
        return zip(edges.dropFirst(), edges).map { $0 - $1 }
    }

    public var description: String {
        "\(name ?? "custom"): \(Int(sampleRate)) Hz, hop \(hop), FFT \(fftSize), \(channelWidths.count) channels, latency \(latencySamples) samples (\(fmt(latencyMilliseconds)) ms)"
    }

    /// Checks every field.
    /// - Throws: ``ProcessorConfigurationError/invalid(field:value:allowed:)`` naming the field.
    public func validate() throws {
        guard sampleRate.isFinite, supportedSampleRates.contains(sampleRate) else {
            throw ProcessorConfigurationError.invalid(field: "sampleRate", value: fmt(sampleRate), allowed: "8000…96000 Hz")
        }
        guard RealFFT.sizeRange.contains(fftSize), fftSize % 2 == 0, fftSize / 2 + 1 >= Self.minimumChannelBins else {
            throw ProcessorConfigurationError.invalid(field: "fftSize", value: "\(fftSize)", allowed: "an even number from 16 to 65536")
        }
        guard hop >= 1, fftSize % hop == 0, fftSize / hop >= 2 else {
            throw ProcessorConfigurationError.invalid(field: "hop", value: "\(hop)",
                                                      allowed: "a divisor of fftSize (\(fftSize)) that is at most fftSize/2, e.g. \(fftSize / 4)")
        }
        if let channelBins {
            guard !channelBins.isEmpty, channelBins.allSatisfy({ $0 >= Self.minimumChannelBins }),
                  channelBins.reduce(0, { $0 &+ $1 }) == binCount else {
                throw ProcessorConfigurationError.invalid(
                    field: "channelBins", value: "[\(channelBins.map(String.init).joined(separator: ", "))]",
                    allowed: "widths of at least \(Self.minimumChannelBins) bins that sum to fftSize/2 + 1 = \(binCount)")
            }
        }
    }
}
