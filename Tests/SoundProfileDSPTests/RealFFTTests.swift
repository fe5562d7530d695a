import Foundation
import Testing
@testable import SoundProfileDSP

@Suite struct RealFFTTests {
    @Test(arguments: [16, 18, 64, 128, 250, 256, 1000, 4096, 65536])
    func roundTripReproducesInput(size: Int) throws {
        let fft = try RealFFT(size: size)
        let x = whiteNoise(sigma: 0.3, count: size, seed: UInt64(size))
        x.withUnsafeBufferPointer { fft.forward($0) }
        fft.inverse()
        var worst: Float = 0
        for i in 0..<size { worst = max(worst, abs(fft.input[i] - x[i])) }
        #expect(worst < 1e-5, "largest round-trip error \(worst) of full scale at N=\(size)")
    }

    @Test func forwardIsUnnormalisedDFT() throws {
        // A cosine at bin 3 of amplitude 1 gives |X_3| = N/2, everything else ~0.
        let n = 64
        let fft = try RealFFT(size: n)
        for i in 0..<n { fft.input[i] = Float(cos(2 * Double.pi * 3 * Double(i) / Double(n))) }
        fft.forward()
        #expect(abs(fft.powerOfBin(3).squareRoot() - Float(n) / 2) < 1e-4)
        #expect(fft.powerOfBin(2) < 1e-8)
        #expect(fft.binCount == 33)
    }

    @Test(arguments: [0, 15, 17, 65538, -2])
    func rejectsBadSizes(size: Int) {
        #expect(throws: FFTError.invalidSize(size)) { _ = try RealFFT(size: size) }
    }

    @Test func separateInstancesRunConcurrently() async throws {
        // Each task owns its FFT; planning is serialised internally, execution runs in parallel.
        let errors = await withTaskGroup(of: Float.self) { group in
            for t in 0..<8 {
                group.addTask {
                    let size = 256 + 2 * t
                    guard let fft = try? RealFFT(size: size) else { return .infinity }
                    let x = whiteNoise(sigma: 0.5, count: size, seed: UInt64(t))
                    var worst: Float = 0
                    for _ in 0..<200 {
                        x.withUnsafeBufferPointer { fft.forward($0) }
                        fft.inverse()
                        for i in 0..<size { worst = max(worst, abs(fft.input[i] - x[i])) }
                    }
                    return worst
                }
            }
            return await group.reduce(into: [Float]()) { $0.append($1) }
        }
        #expect(errors.count == 8)
        #expect(errors.allSatisfy { $0 < 1e-5 })
    }

    @Test func wisdomExportsAndImports() throws {
        _ = try RealFFT(size: 512, planning: .measure)
        let wisdom = FFTWisdom.export()
        #expect(wisdom.contains("fftw"))
        FFTWisdom.forget()
        try FFTWisdom.import(wisdom)
        #expect(throws: FFTError.invalidWisdom) { try FFTWisdom.import("this is not wisdom") }
    }
}
