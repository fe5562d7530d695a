// Per-operation timing on top of package-benchmark.
//
// package-benchmark times one closure call per sample. For sub-microsecond work that sample is
// dominated by the harness's own bookkeeping (about a microsecond), and anything the closure sets up
// is timed with it. Here instead:
//   - `setup` builds the state once per benchmark process (FFTW plans, buffers, a warmed processor);
//   - each closure call runs a burst of `opsPerSample` operations and times every operation on its
//     own with clock_gettime(CLOCK_MONOTONIC) (≈ 35 ns a call on these VMs; the smallest back-to-back
//     difference is subtracted, so the figure errs high, never low);
//   - the times go into the custom metric `perOperation` after the burst, so every single
//     operation is one sample of the distribution: p99 and p99.9 are those of individual blocks,
//     not of averages over a batch that would hide a slow block.
// The harness's own metrics still cover the burst: wallClock / opsPerSample is the mean per
// operation, and mallocCountTotal is the number of mallocs in the whole burst (the gate wants 0 on
// the block path). Keep mallocs on for every benchmark: package-benchmark's JMH export carries a
// metric over from the previous benchmark when one lacks it (1.38.1), which would show a stale count.
import Benchmark

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Time of one operation, in nanoseconds, as the custom metric the gate reads.
public let perOperation = BenchmarkMetric.custom("time per op (ns)", polarity: .prefersSmaller, useScalingFactor: false)

/// Monotonic clock in nanoseconds.
@inline(__always)
public func monotonicNanos() -> UInt64 {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return UInt64(t.tv_sec) &* 1_000_000_000 &+ UInt64(t.tv_nsec)
}

/// The cost of reading the clock: the smallest of many back-to-back differences.
public let clockOverheadNanos: UInt64 = {
    var best = UInt64.max
    for _ in 0..<20_000 {
        let a = monotonicNanos()
        let b = monotonicNanos()
        best = min(best, b &- a)
    }
    return best
}()

/// How long the benchmarks run. `SOUNDPROFILE_BENCH_RUN` = `full` (default, `make bench`),
/// `short` (`make bench-check`) or `ci` (`make bench-ci`).
public enum RunLength: String, Sendable {
    case full, short, ci

    public static let current: RunLength = {
        guard let raw = getenv("SOUNDPROFILE_BENCH_RUN") else { return .full }
        return RunLength(rawValue: String(cString: raw)) ?? .full
    }()

    /// Scales a sample count chosen for a full run.
    public func samples(_ full: Int) -> Int {
        switch self {
        case .full: full
        case .short: max(1, full / 4)
        case .ci: max(1, full / 10)
        }
    }
}

/// Preallocated room for one burst of per-operation times.
public final class BurstTimes: @unchecked Sendable {
    public let times: UnsafeMutableBufferPointer<UInt64>

    public init(capacity: Int) {
        times = .allocate(capacity: capacity)
        times.initialize(repeating: 0)  // touch every page before the first burst
    }

    deinit { times.deallocate() }

    /// Hands the first `count` times to the harness, clock overhead removed.
    public func flush(_ count: Int, to benchmark: Benchmark) {
        let overhead = clockOverheadNanos
        for i in 0..<count {
            let t = times[i]
            benchmark.measurement(perOperation, Int(t > overhead ? t - overhead : 0))
        }
    }
}

/// The configuration of a per-operation benchmark: per-operation times, the burst's wall clock
/// and mallocs, and throughput (which the JMH export needs as its primary metric).
public func perOperationConfiguration(opsPerSample: Int, samples: Int, maxSeconds: Int = 10,
                                      mallocs: Bool = true) -> Benchmark.Configuration {
    var metrics: [BenchmarkMetric] = [.wallClock, .throughput, perOperation]
    if mallocs { metrics.append(.mallocCountTotal) }
    return .init(
        metrics: metrics,
        timeUnits: .nanoseconds,
        warmupIterations: 2,
        scalingFactor: scaling(opsPerSample),
        maxDuration: .seconds(maxSeconds),
        maxIterations: RunLength.current.samples(samples)
    )
}

/// The harness's scaling factor that matches a burst size (for its own per-iteration display).
func scaling(_ ops: Int) -> BenchmarkScalingFactor {
    switch ops {
    case 1_000: .kilo
    case 1_000_000: .mega
    default: .one
    }
}

/// Registers a benchmark that times `operation` one call at a time, `opsPerSample` calls per
/// harness sample, on a state that `setup` builds once.
public func perOperationBenchmark<State: AnyObject>(
    _ name: String, opsPerSample: Int, samples: Int, maxSeconds: Int = 10, mallocs: Bool = true,
    setup: @escaping () throws -> State, operation: @escaping (State) -> Void
) {
    let times = BurstTimes(capacity: opsPerSample)
    Benchmark(
        name,
        configuration: perOperationConfiguration(opsPerSample: opsPerSample, samples: samples,
                                                 maxSeconds: maxSeconds, mallocs: mallocs),
        closure: { (benchmark: Benchmark, state: State) in
            let t = times.times
            benchmark.startMeasurement()
            for i in 0..<opsPerSample {
                let start = monotonicNanos()
                operation(state)
                t[i] = monotonicNanos() &- start
            }
            benchmark.stopMeasurement()
            times.flush(opsPerSample, to: benchmark)
        },
        setup: {
            _ = clockOverheadNanos
            return try setup()
        }
    )
}
