import Foundation
import SoundProfileIO

// Audio bytes → libsndfile decode → band analysis (both policies for unusable samples).
// Must never trap; errors are the expected answer to most inputs.
nonisolated(unsafe) let path = "/dev/shm/sp-fuzz-audio-\(getpid()).wav"
// Short FFTs keep each run cheap (the analysis is the same code at any length).
nonisolated(unsafe) let rejecting = AnalysisSettings(layout: try! .octave(from: 125, to: 8000), fftSize: 512)
nonisolated(unsafe) let zeroing = AnalysisSettings(layout: try! .thirdOctave(from: 25, to: 20000), fftSize: 1024, unusableSamples: .zero)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard FileManager.default.createFile(atPath: path, contents: Data(bytes: data, count: size)) else { return 0 }
    defer { unlink(path) }
    do {
        _ = try FileAnalysis.analyze(path: path, settings: rejecting)
    } catch is AnalysisInputError {
        // Unusable samples (or too many channels): the zeroing policy must cope with the same file.
        _ = try? FileAnalysis.analyze(path: path, settings: zeroing)
    } catch {}
    return 0
}
