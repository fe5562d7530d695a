import Foundation
import Testing
import SoundProfileDSP

/// The README's library example, compiled and run. `readmeExample()` must stay identical to the
/// README's code block (the second test fails when they drift).
func readmeExample() throws -> [String] {
    // README-EXAMPLE-BEGIN
    // Third-octave levels of one 4096-sample frame of a 1 kHz tone at 48 kHz.
    let analyzer = try BandAnalyzer(layout: .thirdOctave(from: 125, to: 8000), sampleRate: 48000, fftSize: 4096,
                                    fullScaleDBSPL: 100)
    let frame = (0..<4096).map { Float(0.1 * sin(2 * Double.pi * 1000 * Double($0) / 48000)) }
    let levels = analyzer.bandLevels(of: frame)  // dB SPL per band
    var lines: [String] = []
    for (band, level) in zip(analyzer.layout.bands, levels) where level > 40 {
        lines.append("\(band.label) Hz: \(String(format: "%.1f", level)) dB SPL")
    }
    // A fitting and the processor a pod runs, block by block.
    let audiogram = try Audiogram(right: [250: 30, 500: 35, 1000: 40, 2000: 50, 4000: 60])
    let profile = try SoundProfile.fit(audiogram: audiogram, options: FittingOptions(rule: .nalR))
    let processor = try ProfileProcessor(configuration: .pod24k, profile: profile, ear: .right)
    let input = [Float](repeating: 0, count: processor.hop)
    var output = [Float](repeating: 0, count: processor.hop)
    input.withUnsafeBufferPointer { i in output.withUnsafeMutableBufferPointer { o in processor.process(input: i, output: o) } }
    lines.append("latency \(processor.algorithmicLatency.samples) samples")
    // README-EXAMPLE-END
    return lines
}

@Suite struct ReadmeExampleTests {
    @Test func exampleRunsAndPrintsTheToneLevel() throws {
        let lines = try readmeExample()
        // Amplitude 0.1: 20·log10(0.1/√2) + 100 = 77.0 dB SPL in the 1 kHz band.
        #expect(lines.first == "1k Hz: 77.0 dB SPL")
        #expect(lines.last == "latency 120 samples")  // 128 − 32 for the overlap-add + 24 (1 ms) of limiter look-ahead
    }

    @Test func readmeShowsThisExample() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        let source = try String(contentsOf: URL(fileURLWithPath: #filePath), encoding: .utf8)
        let begin = source.range(of: "// README-EXAMPLE-BEGIN\n")!.upperBound
        let end = source.range(of: "    // README-EXAMPLE-END")!.lowerBound
        let body = source[begin..<end].split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.hasPrefix("    ") ? String($0.dropFirst(4)) : String($0) }.joined(separator: "\n")
        #expect(readme.contains(body), "README.md's example differs from ReadmeExampleTests.readmeExample()")
    }
}
