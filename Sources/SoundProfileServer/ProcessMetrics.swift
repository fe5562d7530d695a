import Foundation
import Prometheus
import SoundProfileDSP

/// `soundprofile_build_info` and the standard Prometheus process metrics (read from /proc on
/// each scrape, Linux only): `process_cpu_seconds_total`, `process_resident_memory_bytes`,
/// `process_virtual_memory_bytes`, `process_open_fds`, `process_start_time_seconds`.
enum ProcessMetrics {
    /// The release reported in `soundprofile_build_info` (as `soundprofile-service --version`).
    static let version = soundProfileVersion

    static func registerBuildInfo(in registry: PrometheusCollectorRegistry) {
        #if compiler(>=6.3)
        let swift = "6.3"
        #else
        let swift = "6.x"
        #endif
        registry.makeGauge(name: "soundprofile_build_info", labels: [("version", version), ("swift", swift)],
                           help: "Always 1; the labels name the build").set(Int64(1))
    }

    /// Updates the process gauges; call before emitting.
    static func update(in registry: PrometheusCollectorRegistry) {
        guard let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return }
        // Fields after "comm)": state is field 3; utime 14, stime 15, starttime 22, vsize 23, rss 24.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        func field(_ number: Int) -> Double? { fields.count > number - 3 ? Double(fields[number - 3]) : nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let page = Double(sysconf(Int32(_SC_PAGESIZE)))
        if let user = field(14), let system = field(15) {
            registry.makeGauge(name: "process_cpu_seconds_total", help: "User and system CPU time, in seconds").set((user + system) / ticks)
        }
        if let rss = field(24) {
            registry.makeGauge(name: "process_resident_memory_bytes", help: "Resident memory, in bytes").set(rss * page)
        }
        if let vsize = field(23) {
            registry.makeGauge(name: "process_virtual_memory_bytes", help: "Virtual memory, in bytes").set(vsize)
        }
        if let fds = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") {
            registry.makeGauge(name: "process_open_fds", help: "Open file descriptors").set(Double(fds.count))
        }
        if let start = field(22), let uptime = bootTime() {
            registry.makeGauge(name: "process_start_time_seconds", help: "Start time since the Unix epoch, in seconds")
                .set(uptime + start / ticks)
        }
    }

    /// Boot time since the epoch, in seconds (`btime` of /proc/stat).
    static func bootTime() -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("btime ") {
            return Double(line.dropFirst(6).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }
}
