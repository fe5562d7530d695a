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

/// A rectangular plot area with two axes: maps data to SVG coordinates and draws the frame, grid,
/// ticks, axis labels and title.
public struct PlotPanel: Sendable {
    /// Left edge of the plot area, in pixels.
    public var left: Double
    /// Top edge, in pixels.
    public var top: Double
    /// Width, in pixels.
    public var width: Double
    /// Height, in pixels.
    public var height: Double
    /// The horizontal axis (from left to right).
    public var x: PlotAxis
    /// The vertical axis (`from` at the top, `to` at the bottom: an audiogram's dB HL axis runs
    /// −10 at the top to 120 at the bottom; a gain axis runs high to low).
    public var y: PlotAxis
    /// The title, above the area.
    public var title: String

    /// A panel.
    public init(left: Double, top: Double, width: Double, height: Double, x: PlotAxis, y: PlotAxis, title: String) {
        self.left = left
        self.top = top
        self.width = width
        self.height = height
        self.x = x
        self.y = y
        self.title = title
    }

    /// The SVG x coordinate of a data value, in pixels.
    public func px(_ v: Double) -> Double { left + x.fraction(v) * width }
    /// The SVG y coordinate of a data value, in pixels.
    public func py(_ v: Double) -> Double { top + y.fraction(v) * height }
    /// The SVG point of (x, y), in pixels, clamped to the plot area.
    public func point(_ vx: Double, _ vy: Double) -> (Double, Double) {
        (min(max(px(vx), left), left + width), min(max(py(vy), top), top + height))
    }

    /// Draws the frame, grid lines, tick labels, axis labels and title.
    public func drawAxes(_ svg: inout SVGDocument) {
        svg.rect(left, top, width, height, fill: "#ffffff", stroke: "#444444")
        for t in x.ticks {
            let p = px(t.value)
            svg.line(p, top, p, top + height, stroke: "#dddddd")
            svg.text(t.label, p, top + height + 15, size: 11, anchor: "middle")
        }
        for t in y.ticks {
            let p = py(t.value)
            svg.line(left, p, left + width, p, stroke: "#dddddd")
            svg.text(t.label, left - 6, p + 4, size: 11, anchor: "end")
        }
        svg.rect(left, top, width, height, fill: "none", stroke: "#444444")
        svg.text(x.label, left + width / 2, top + height + 32, size: 12, anchor: "middle")
        svg.text(y.label, left - 40, top + height / 2, size: 12, anchor: "middle", rotate: -90)
        svg.text(title, left, top - 8, size: 13, weight: "bold")
    }

    /// Draws a line through the points (x, y) in data units, clipped to the plot area.
    public func series(_ svg: inout SVGDocument, _ points: [(Double, Double)], color: String, width: Double = 1.5, dash: String? = nil,
                       marker: MarkerShape? = nil, markerSize: Double = 4, cssClass: String? = nil) {
        let finite = points.filter { $0.0.isFinite && $0.1.isFinite }
        svg.polyline(finite.map { point($0.0, $0.1) }, stroke: color, width: width, dash: dash, cssClass: cssClass.map { $0 + "-line" })
        if let marker {
            for p in finite {
                let q = point(p.0, p.1)
                svg.marker(marker, q.0, q.1, color: color, size: markerSize, cssClass: cssClass)
            }
        }
    }

    /// Draws a legend: coloured line samples and labels, stacked inside the area from its top
    /// (or bottom) left (or right) corner.
    public func legend(_ svg: inout SVGDocument, _ entries: [(label: String, color: String, dash: String?, marker: MarkerShape?)], atRight: Bool = false, atBottom: Bool = false) {
        let w = 10 + 7 * Double(entries.map(\.label.count).max() ?? 0) + 34
        let x0 = atRight ? left + width - w - 6 : left + 6
        let h = Double(entries.count) * 16 + 6
        let y0 = atBottom ? top + height - h - 6 : top + 6
        svg.rect(x0, y0, w, h, fill: "#ffffff", stroke: "#bbbbbb", opacity: 0.9)
        for (i, e) in entries.enumerated() {
            let y = y0 + 12 + Double(i) * 16
            svg.line(x0 + 6, y - 4, x0 + 30, y - 4, stroke: e.color, width: 2, dash: e.dash)
            if let m = e.marker { svg.marker(m, x0 + 18, y - 4, color: e.color, size: 3.5) }
            svg.text(e.label, x0 + 36, y, size: 11)
        }
    }
}
