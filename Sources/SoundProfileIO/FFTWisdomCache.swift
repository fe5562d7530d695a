#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SoundProfileDSP

/// FFTW plans kept between runs of the command line, so a short command does not pay FFTW's
/// planner again (about 11 M instructions for one 4096-point plan, most of a short file's run).
///
/// The cache holds FFTW wisdom from `FFTW_ESTIMATE` planning only — the only planning the
/// command line does — so a plan made from it is the plan FFTW would have made anyway, and
/// results are bit-identical with or without the cache. Wisdom FFTW does not accept (another
/// FFTW version or build, a damaged file) is ignored and replaced.
///
/// Location: `SOUNDPROFILE_FFTW_WISDOM` (a file path, or `off` for no cache), else
/// `$XDG_CACHE_HOME/soundprofile/fftw-wisdom`, else `$HOME/.cache/soundprofile/fftw-wisdom`.
/// Failing to read or write it is never an error: the run plans as it would without it.
package struct FFTWisdomCache {
    /// The cache file, or nil when caching is off or no location is known.
    package let path: String?

    /// Reads the cache (if any) and gives its wisdom to FFTW.
    package static func load(environment: [String: String] = FFTWisdomCache.environment()) -> FFTWisdomCache {
        let cache = FFTWisdomCache(path: location(environment: environment))
        if let path = cache.path, let data = FileManager.default.contents(atPath: path), data.count < 1 << 22 {
            _ = try? FFTWisdom.import(String(decoding: data, as: UTF8.self))  // rejected wisdom: plan anew
        }
        return cache
    }

    /// Writes FFTW's wisdom back when this run planned something new; silent on failure.
    package func save() {
        guard let path, FFTWisdom.plansMadeWithoutWisdom > 0 else { return }
        // A plan made without wisdom is the only way the wisdom grows, so nothing else to compare.
        let now = FFTWisdom.export()
        guard !now.isEmpty else { return }
        let folder = PathText.deletingLastComponent(path)
        if !folder.isEmpty { try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        let temporary = (folder.isEmpty ? "." : folder) + "/.fftw-wisdom.\(getpid()).tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(now.utf8)) else { return }
        if rename(temporary, path) != 0 { unlink(temporary) }
    }

    /// The three variables the cache location depends on, read with getenv(3): copying the
    /// whole environment (`ProcessInfo.environment`) costs more than reading the cache.
    package static func environment() -> [String: String] {
        var result: [String: String] = [:]
        for name in ["SOUNDPROFILE_FFTW_WISDOM", "XDG_CACHE_HOME", "HOME"] {
            if let value = getenv(name) { result[name] = String(cString: value) }
        }
        return result
    }

    /// Where the cache lives for `environment`, or nil for none.
    package static func location(environment: [String: String]) -> String? {
        if let explicit = environment["SOUNDPROFILE_FFTW_WISDOM"] {
            return explicit.isEmpty || explicit == "off" ? nil : explicit
        }
        if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") { return xdg + "/soundprofile/fftw-wisdom" }
        if let home = environment["HOME"], home.hasPrefix("/") { return home + "/.cache/soundprofile/fftw-wisdom" }
        return nil
    }
}
