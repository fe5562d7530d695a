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

/// Block size, FFT size and sample rate of a ``ProfileProcessor``, and the bands it works in.
///
/// The processor runs weighted overlap-add with √Hann analysis and synthesis windows: each block
/// of `hop` new samples produces one frame of `fftSize` samples, so `fftSize` must be a whole
/// multiple (at least 2) of `hop`. The algorithmic latency is `fftSize − hop` samples.
public struct ProcessorConfiguration: Sendable, Equatable, CustomStringConvertible {
    /// A preset name, or nil for a custom configuration.
    public var name: String?
    /// In Hz, 8000…96000.
    public var sampleRate: Double
    /// Samples per block (the frame advance).
    public var hop: Int
    /// FFT length in samples.
    public var fftSize: Int
    /// The bands the processor analyses and compresses in, before merging to the FFT's
    /// resolution (default: third-octave 125 Hz–8 kHz, as DESIGN.md says for the pod presets).
    public var layout: BandLayout

    /// Third-octave bands 125 Hz–8 kHz.
    public static let defaultLayout: BandLayout = {
        // swiftlint:disable:next force_try
        try! BandLayout.thirdOctave(from: 125, to: 8000)
    }()

    /// A configuration; call ``validate()`` (or let ``ProfileProcessor`` do it).
    public init(name: String? = nil, sampleRate: Double, hop: Int, fftSize: Int, layout: BandLayout = defaultLayout) {
        self.name = name
        self.sampleRate = sampleRate
        self.hop = hop
        self.fftSize = fftSize
        self.layout = layout
    }

    /// 16 kHz, hop 16 (1 ms), FFT 64.
    public static let pod16k = ProcessorConfiguration(name: "pod16k", sampleRate: 16000, hop: 16, fftSize: 64)
    /// 24 kHz, hop 32 (1.33 ms), FFT 128.
    public static let pod24k = ProcessorConfiguration(name: "pod24k", sampleRate: 24000, hop: 32, fftSize: 128)
    /// 48 kHz, hop 64 (1.33 ms), FFT 256.
    public static let studio48k = ProcessorConfiguration(name: "studio48k", sampleRate: 48000, hop: 64, fftSize: 256)
    /// The presets, by name.
    public static let presets: [ProcessorConfiguration] = [.pod16k, .pod24k, .studio48k]

    /// The algorithmic latency in samples: `fftSize − hop`.
    public var latencySamples: Int { fftSize - hop }
    /// The algorithmic latency in milliseconds.
    public var latencyMilliseconds: Double { Double(latencySamples) / sampleRate * 1000 }
    /// How far ahead of the output the level detector sees, in seconds: (fftSize/2 − hop)/sampleRate
    /// (see ``AttackRelease``).
    public var detectorLeadSeconds: Double { Double(max(0, fftSize / 2 - hop)) / sampleRate }
    /// The block period in seconds (`hop / sampleRate`).
    public var blockSeconds: Double { Double(hop) / sampleRate }

    public var description: String {
        "\(name ?? "custom"): \(Int(sampleRate)) Hz, hop \(hop), FFT \(fftSize), latency \(latencySamples) samples (\(fmt(latencyMilliseconds)) ms)"
    }

    /// Checks every field.
    /// - Throws: ``ProcessorConfigurationError/invalid(field:value:allowed:)`` naming the field.
    public func validate() throws {
        guard supportedSampleRates.contains(sampleRate) else {
            throw ProcessorConfigurationError.invalid(field: "sampleRate", value: fmt(sampleRate), allowed: "8000…96000 Hz")
        }
        guard RealFFT.sizeRange.contains(fftSize), fftSize % 2 == 0 else {
            throw ProcessorConfigurationError.invalid(field: "fftSize", value: "\(fftSize)", allowed: "an even number from 16 to 65536")
        }
        guard hop >= 1, fftSize % hop == 0, fftSize / hop >= 2 else {
            throw ProcessorConfigurationError.invalid(field: "hop", value: "\(hop)",
                                                      allowed: "a divisor of fftSize (\(fftSize)) that is at most fftSize/2, e.g. \(fftSize / 4)")
        }
    }
}
