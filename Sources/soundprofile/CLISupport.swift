import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SoundProfileDSP
import SoundProfileIO

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Helpers shared by the subcommands (fit, analyze, …).

/// Builds the band layout named by a `--bands` spec over a `--range` (see `BandLayout.parse`).
/// - Parameters:
///   - spec: `third-octave`, `octave`, `erb:N`, `log:N` or `custom:F1,F2,…`.
///   - range: `LOW-HIGH` in Hz (default 125-8000, the fitting range; `analyze` passes its own).
/// - Returns: The layout.
/// - Throws: `ValidationError` whose message names the option, the value and what is allowed.
func parseBandLayout(spec: String, range: String = "125-8000") throws -> BandLayout {
    do {
        return try BandLayout.parse(spec: spec, range: range)
    } catch let error as BandSpecError {
        throw ValidationError(error.description)
    } catch let error as BandLayoutError {
        throw ValidationError("--bands \(spec) --range \(range): \(error)")
    }
}

/// Writes `data` to `path` atomically: into a temporary file in the same folder, then renamed
/// over `path`. On any failure the temporary file is removed and `path` is left untouched, so
/// a reader never sees a partial file. `-` is standard output.
/// - Throws: `CLIFileError` naming the path and the reason.
func writeAtomically(_ data: Data, to path: String) throws {
    if path == StandardInput.name {  // `--output -`: standard output, as everywhere `-` is accepted
        FileOutput.standardOutput.write(data)
        return
    }
    if AudioFileWriter.isStreamTarget(path) {
        // A device or FIFO (/dev/null, /dev/stdout, a named pipe) is written into, never replaced.
        guard let out = FileOutput(creatingAtPath: path) else {
            throw CLIFileError(path: path, reason: "cannot write: \(String(cString: strerror(errno)).lowercased())")
        }
        let written = out.write(data)
        let code = errno
        out.close()
        guard written else { throw CLIFileError(path: path, reason: "cannot write: \(String(cString: strerror(code)).lowercased())") }
        return
    }
    let url = URL(fileURLWithPath: path)
    let folder = PathText.deletingLastComponent(path)
    let temporary = URL(fileURLWithPath: (folder.isEmpty ? "." : folder)
        + "/.\(PathText.lastComponent(path)).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
    do {
        try data.write(to: temporary, options: .withoutOverwriting)
    } catch {
        try? FileManager.default.removeItem(at: temporary)
        var reason = CLIMessage.fileReason(error)
        // "Not found" for a folder that exists means the file system there takes no new files
        // (/proc, /sys): say that, not that something is missing.
        if reason.hasPrefix("not found") {
            let where_ = folder.isEmpty ? "." : folder
            reason = PathText.isDirectory(where_) ? "the folder \(where_) does not allow new files (it is not an ordinary file system)"
                : "the folder \(where_) does not exist"
        }
        throw CLIFileError(path: path, reason: "cannot write: \(reason)")
    }
    guard rename(temporary.path, url.path) == 0 else {
        let reason = fileErrorReason(POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO))
        try? FileManager.default.removeItem(at: temporary)
        throw CLIFileError(path: path, reason: "cannot write: \(reason)")
    }
}

/// The bytes of a document named on the command line (an audiogram, a profile): the file, or
/// standard input for `-`.
/// - Throws: The file system's error, or ``AudioFileError`` when standard input cannot be read.
func readInputDocument(_ path: String) throws -> Data {
    path == StandardInput.name ? try StandardInput.contents() : try Data(contentsOf: URL(fileURLWithPath: path))
}

/// A file that could not be read or written.
struct CLIFileError: Error, CustomStringConvertible {
    var path: String
    var reason: String
    var description: String { "\(path): \(reason)" }
}

/// Writes `message` and a newline to standard error.
func printError(_ message: String) {
    FileOutput.standardError.write(message + "\n")
}

/// A number with a fixed count of decimals, rounded as a person rounds the decimal value:
/// halves away from zero, after snapping to a millionth of the last digit so that binary
/// noise does not decide (`formatted(19.65, 1)` and `formatted(19.65 - 7.5, 1)` give "19.7"
/// and "12.2"; `%.1f` alone prints "19.6" and "12.1" because both doubles lie a hair below).
func formatted(_ x: Double, _ decimals: Int) -> String {
    let scale = pow(10, Double(decimals))
    let snapped = (x * scale * 1e6).rounded() / 1e6
    let rounded = snapped.rounded(.toNearestOrAwayFromZero) / scale
    return cFormat("%.\(decimals)f", rounded == 0 ? 0 : rounded)  // no "-0.0"
}

/// A string enum the command line takes as an option value. Its help texts and completions
/// come straight from the raw values: ArgumentParser's defaults reach them through string
/// interpolation and `String(describing:)`, whose first dynamic casts scan every protocol
/// conformance in the program (about 1 M instructions of a short run).
public protocol ArgumentEnum: ExpressibleByArgument, CaseIterable, RawRepresentable where RawValue == String {}

extension ArgumentEnum {
    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
    public static var allValueDescriptions: [String: String] { [:] }
    public var defaultValueDescription: String { rawValue }
}
