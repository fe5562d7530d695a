import Foundation
import Testing
@testable import SoundProfileDSP

@Suite struct BandLayoutTests {
    /// IEC 61260-1 nominal mid-band frequencies of the third-octave bands 25 Hz … 20 kHz.
    static let nominal = ["25", "31.5", "40", "50", "63", "80", "100", "125", "160", "200", "250", "315", "400",
                          "500", "630", "800", "1k", "1.25k", "1.6k", "2k", "2.5k", "3.15k", "4k", "5k", "6.3k",
                          "8k", "10k", "12.5k", "16k", "20k"]

    @Test func thirdOctaveMatchesIECFormulaAndLabels() throws {
        let layout = try BandLayout.thirdOctave(from: 25, to: 20000)
        #expect(layout.bands.map(\.label) == Self.nominal)
        for (i, band) in layout.bands.enumerated() {
            let x = Double(i - 16)  // 25 Hz is x = −16
            let mid = 1000 * pow(10, x / 10)
            #expect(abs(band.centerHz / mid - 1) < 1e-9)
            #expect(abs(band.lowerHz / (mid * pow(10, -1.0 / 20)) - 1) < 1e-9)
            #expect(abs(band.upperHz / (mid * pow(10, 1.0 / 20)) - 1) < 1e-9)
        }
    }

    @Test func octaveMatchesIECFormula() throws {
        let layout = try BandLayout.octave(from: 31.5, to: 16000)
        #expect(layout.bands.map(\.label) == ["31.5", "63", "125", "250", "500", "1k", "2k", "4k", "8k", "16k"])
        for (i, band) in layout.bands.enumerated() {
            let mid = 1000 * pow(10, 3 * Double(i - 5) / 10)
            #expect(abs(band.centerHz / mid - 1) < 1e-9)
            #expect(abs(band.lowerHz / (mid * pow(10, -3.0 / 20)) - 1) < 1e-9)
            #expect(abs(band.upperHz / (mid * pow(10, 3.0 / 20)) - 1) < 1e-9)
        }
    }

    @Test func erbAndLogSpacing() throws {
        let erb = try BandLayout.erb(count: 20, from: 100, to: 8000)
        #expect(erb.count == 20)
        #expect(abs(erb.bands.first!.lowerHz - 100) < 1e-9 && abs(erb.bands.last!.upperHz - 8000) < 1e-6)
        let widths = erb.bands.map { BandLayout.erbNumber(hz: $0.upperHz) - BandLayout.erbNumber(hz: $0.lowerHz) }
        for w in widths { #expect(abs(w - widths[0]) < 1e-9) }
        let log = try BandLayout.logSpaced(count: 10, from: 100, to: 10000)
        for b in log.bands { #expect(abs(b.upperHz / b.lowerHz - pow(10, 0.2)) < 1e-9) }
    }

    @Test func badInputNamesTheProblem() {
        #expect(throws: BandLayoutError.invalidBandCount(0, allowed: 1...200)) { try BandLayout.erb(count: 0, from: 100, to: 8000) }
        #expect(throws: BandLayoutError.self) { try BandLayout.thirdOctave(from: 1000, to: 100) }
        do {
            _ = try BandLayout.custom(edges: [100, 200, 150])
            Issue.record("non-increasing edges were accepted")
        } catch let error as BandLayoutError {
            #expect(error == .invalidEdges(index: 2, value: 150, reason: "edges must increase strictly (previous is 200 Hz)"))
            #expect(String(describing: error).contains("150 Hz"))
        } catch { Issue.record("unexpected \(error)") }
    }

    @Test func narrowBandIsRejectedNamingBandAndFFTSize() throws {
        // At 16 kHz and N = 64 the bin spacing is 250 Hz; the 125 Hz third-octave band is 28.9 Hz wide.
        let layout = try BandLayout.thirdOctave(from: 125, to: 8000)
        #expect {
            try layout.resolved(sampleRate: 16000, fftSize: 64, policy: .reject)
        } throws: { error in
            guard case let .bandTooNarrow(label, width, spacing, smallest) = error as? BandLayoutError else { return false }
            // width 125.89·(10^0.05 − 10^−0.05) = 29.05 Hz; 16000 / 29.05 = 550.8 → 551 → even 552 points
            return label == "125" && abs(width - 29.05) < 0.01 && spacing == 250 && smallest == 552
                && String(describing: error).contains("at least 552 points")
        }
    }

    @Test(arguments: [(16000.0, 64), (24000.0, 128), (48000.0, 256), (48000.0, 4096)])
    func mergePolicyMakesEveryBandAtLeastOneBin(sampleRate: Double, fftSize: Int) throws {
        let layout = try BandLayout.thirdOctave(from: 125, to: 8000)
        let merged = try layout.resolved(sampleRate: sampleRate, fftSize: fftSize, policy: .merge)
        let spacing = sampleRate / Double(fftSize)
        let kept = layout.bands.filter { $0.upperHz <= sampleRate / 2 }
        // Contiguous, covers the kept span, each band ≥ one bin, sources partition the kept bands.
        #expect(abs(merged.bands.first!.lowerHz - kept.first!.lowerHz) < 1e-9)
        #expect(abs(merged.bands.last!.upperHz - kept.last!.upperHz) < 1e-9)
        for (i, b) in merged.bands.enumerated() {
            #expect(b.widthHz >= spacing * (1 - 1e-9), "band \(b.label) is \(b.widthHz) Hz, bins are \(spacing) Hz")
            if i > 0 { #expect(b.lowerHz == merged.bands[i - 1].upperHz) }
            if i > 0 { #expect(merged.sources[i].lowerBound == merged.sources[i - 1].upperBound) }
        }
        #expect(merged.sources.first!.lowerBound == 0 && merged.sources.last!.upperBound == kept.count)
        // Bands already wide enough are left alone.
        if fftSize == 4096 { #expect(merged.bands == kept) }
    }
}
