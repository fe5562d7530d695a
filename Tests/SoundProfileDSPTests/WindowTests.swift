import Foundation
import Testing
@testable import SoundProfileDSP

@Suite struct WindowTests {
    @Test func sqrtHannSquaredIsHannAndOverlapAddsToConstant() {
        let n = 128
        let h = Window(.hann, count: n), s = Window(.sqrtHann, count: n)
        for i in 0..<n { #expect(abs(s.values[i] * s.values[i] - h.values[i]) < 1e-6) }
        // Periodic Hann at 75 % overlap sums to 2 everywhere.
        for i in 0..<(n / 4) {
            let sum = (0..<4).reduce(Float(0)) { $0 + h.values[i + $1 * n / 4] }
            #expect(abs(sum - 2) < 1e-5)
        }
        #expect(abs(h.sumOfSquares - 3.0 / 8.0 * Double(n)) < 1e-3)
        #expect(abs(s.sumOfSquares - Double(n) / 2) < 1e-3)
        #expect(Window(.rectangular, count: n).sumOfSquares == Double(n))
    }
}
