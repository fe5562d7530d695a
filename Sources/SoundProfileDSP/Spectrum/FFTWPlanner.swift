internal import CFFTW
import Synchronization

/// Serialises every FFTW planner call (planning, destroying plans, wisdom).
///
/// FFTW's `fftwf_execute*` functions are thread-safe; everything else in its API touches the
/// planner's global state and must not run on two threads at once.
enum FFTWPlanner {
    /// The one lock around FFTW's planner.
    static let lock = Mutex<Void>(())

    /// Runs `body` while holding the planner lock.
    static func withLock<R>(_ body: () throws -> R) rethrows -> R {
        try lock.withLock { _ in try body() }
    }
}

/// Tuned FFTW plans ("wisdom") that a device can ship with and load at start-up.
///
/// Wisdom gathered on one machine lets another machine of the same kind plan with
/// `FFTW_MEASURE` quality in microseconds. Not real-time safe: call at start-up.
public enum FFTWisdom {
    /// Exports the wisdom accumulated by this process as FFTW's text format.
    /// - Returns: The wisdom string; empty if FFTW returned nothing.
    public static func export() -> String {
        FFTWPlanner.withLock {
            guard let cString = fftwf_export_wisdom_to_string() else { return "" }
            defer { fftwf_free(cString) }
            return String(cString: cString)
        }
    }

    /// Imports wisdom produced by ``export()`` (possibly on another run or machine).
    /// - Parameter wisdom: FFTW wisdom text.
    /// - Throws: ``FFTError/invalidWisdom`` when FFTW rejects the text.
    public static func `import`(_ wisdom: String) throws(FFTError) {
        let ok = FFTWPlanner.withLock { fftwf_import_wisdom_from_string(wisdom) }
        if ok == 0 { throw .invalidWisdom }
    }

    /// How many plans this process made without wisdom (so there is new wisdom to export).
    public static var plansMadeWithoutWisdom: Int { newPlans.load(ordering: .relaxed) }

    private static let newPlans = Atomic<Int>(0)

    /// The plan `fromWisdom` gives, else the one `anew` makes (counted). Call under the lock.
    static func planned(_ fromWisdom: () -> fftwf_plan?, else anew: () -> fftwf_plan?) -> fftwf_plan? {
        if let plan = fromWisdom() { return plan }
        newPlans.add(1, ordering: .relaxed)
        return anew()
    }

    /// Forgets all accumulated wisdom.
    public static func forget() {
        FFTWPlanner.withLock { fftwf_forget_wisdom() }
    }
}
