import Foundation
import Testing
@testable import SoundProfileIO

@Suite struct AnalysisOutputTests {
    /// The table's number formatter against Foundation's `String(format:)` (the C library's
    /// `%.1f` / `%.2f`): levels as the analysis reports them (rounded to 0.001 dB, so x.x5 ties
    /// in decimal that are not ties in binary), exact binary ties, negatives, −0 and large values.
    @Test(arguments: [1, 2])
    func fixedPrintsWhatPrintfPrints(decimals: Int) {
        var g = SystemRandomNumberGenerator()
        var values: [Double] = [0, -0.0, 0.25, 0.125, 0.375, 2.675, 1.005, -0.04, -0.05, -0.25, 59.95, 60.15, 99.995,
                                -100, 19.65, 12.15, 0.049999999999999996, 1e12 + 0.5, 123456.785, .nan, .infinity]
        for _ in 0..<20_000 {
            values.append((Double.random(in: -200...200, using: &g) * 1000).rounded() / 1000)
            values.append(Double.random(in: -1e6...1e6, using: &g))
            values.append(Double(Int.random(in: -4000...4000, using: &g)) / 8)  // exact binary ties
        }
        for x in values {
            let expected = String(format: "%.\(decimals)f", x)
            #expect(AnalysisRenderer.fixed(x, decimals: decimals) == expected, "\(x)")
        }
    }
}
