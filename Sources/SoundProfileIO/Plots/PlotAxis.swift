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

/// One axis of a plot: its range, scale and label.
public struct PlotAxis: Sendable {
    /// The value at the start of the axis (left, or top for a y axis).
    public var from: Double
    /// The value at the end (right, or bottom for a y axis).
    public var to: Double
    /// Logarithmic (base 10) scale.
    public var logarithmic: Bool
    /// The label, with its unit (e.g. "Frequency (Hz)").
    public var label: String
    /// Tick values and their labels.
    public var ticks: [(value: Double, label: String)]

    /// An axis.
    public init(from: Double, to: Double, logarithmic: Bool = false, label: String, ticks: [(value: Double, label: String)]) {
        self.from = from
        self.to = to
        self.logarithmic = logarithmic
        self.label = label
        self.ticks = ticks
    }

    /// The position of `value` from 0 (start) to 1 (end); values outside give < 0 or > 1.
    public func fraction(_ value: Double) -> Double {
        logarithmic ? log10(value / from) / log10(to / from) : (value - from) / (to - from)
    }

    /// A frequency axis with audiometric ticks (125 … 8k), in Hz.
    public static func frequency(from: Double = 125, to: Double = 8000) -> PlotAxis {
        let candidates: [Double] = [63, 125, 250, 500, 1000, 2000, 4000, 8000, 16000]
        return PlotAxis(from: from, to: to, logarithmic: true, label: "Frequency (Hz)",
                        ticks: candidates.filter { $0 >= from * 0.999 && $0 <= to * 1.001 }.map { ($0, $0 >= 1000 ? "\(Int($0 / 1000))k" : "\(Int($0))") })
    }

    /// A linear axis from `from` to `to` with a tick every `step`.
    public static func linear(from: Double, to: Double, step: Double, label: String) -> PlotAxis {
        let lo = min(from, to), hi = max(from, to)
        var ticks: [(Double, String)] = []
        var v = (lo / step).rounded(.up) * step
        while v <= hi + 1e-9 { ticks.append((v, cFormat("%g", abs(v) < 1e-9 ? 0 : v))); v += step }
        return PlotAxis(from: from, to: to, label: label, ticks: ticks)
    }
}
