import Foundation

/// A self-contained SVG document built element by element: no scripts, no external fonts, images
/// or style sheets (text uses the generic `sans-serif` family), so it opens the same in a browser,
/// in print and in `rsvg-convert`. Coordinates are in user units (pixels at 100 %).
public struct SVGDocument: Sendable {
    /// The width, in pixels.
    public let width: Double
    /// The height, in pixels.
    public let height: Double
    /// The elements, in drawing order.
    public private(set) var elements: [String] = []

    static let white = "#ffffff"

    /// An empty document with a white background.
    /// - Parameters:
    ///   - width: In pixels.
    ///   - height: In pixels.
    public init(width: Double, height: Double) {
        self.width = width
        self.height = height
        elements.append(#"<rect x="0" y="0" width="\#(n(width))" height="\#(n(height))" fill="\#(Self.white)"/>"#)
    }

    /// Appends raw SVG markup (already escaped).
    public mutating func append(_ element: String) { elements.append(element) }

    /// A line from (x1, y1) to (x2, y2).
    public mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String, width: Double = 1, dash: String? = nil, cssClass: String? = nil) {
        elements.append(#"<line x1="\#(n(x1))" y1="\#(n(y1))" x2="\#(n(x2))" y2="\#(n(y2))" stroke="\#(stroke)" stroke-width="\#(n(width))"\#(dash.map { #" stroke-dasharray="\#($0)""# } ?? "")\#(cls(cssClass))/>"#)
    }

    /// An open polyline through `points`.
    public mutating func polyline(_ points: [(Double, Double)], stroke: String, width: Double = 1.5, dash: String? = nil, cssClass: String? = nil) {
        guard points.count > 1 else { return }
        let p = points.map { "\(n($0.0)),\(n($0.1))" }.joined(separator: " ")
        elements.append(#"<polyline points="\#(p)" fill="none" stroke="\#(stroke)" stroke-width="\#(n(width))" stroke-linejoin="round"\#(dash.map { #" stroke-dasharray="\#($0)""# } ?? "")\#(cls(cssClass))/>"#)
    }

    /// A closed, filled polygon.
    public mutating func polygon(_ points: [(Double, Double)], fill: String, opacity: Double = 1, cssClass: String? = nil) {
        guard points.count > 2 else { return }
        let p = points.map { "\(n($0.0)),\(n($0.1))" }.joined(separator: " ")
        elements.append(#"<polygon points="\#(p)" fill="\#(fill)" fill-opacity="\#(n(opacity))" stroke="none"\#(cls(cssClass))/>"#)
    }

    /// A rectangle.
    public mutating func rect(_ x: Double, _ y: Double, _ w: Double, _ h: Double, fill: String, stroke: String? = nil, opacity: Double = 1, cssClass: String? = nil) {
        elements.append(#"<rect x="\#(n(x))" y="\#(n(y))" width="\#(n(w))" height="\#(n(h))" fill="\#(fill)" fill-opacity="\#(n(opacity))"\#(stroke.map { #" stroke="\#($0)""# } ?? "")\#(cls(cssClass))/>"#)
    }

    /// A marker centred on (x, y).
    public mutating func marker(_ shape: MarkerShape, _ x: Double, _ y: Double, color: String, size: Double = 5, cssClass: String? = nil) {
        switch shape {
        case .circle:
            elements.append(#"<circle cx="\#(n(x))" cy="\#(n(y))" r="\#(n(size))" fill="\#(Self.white)" stroke="\#(color)" stroke-width="2"\#(cls(cssClass))/>"#)
        case .dot:
            elements.append(#"<circle cx="\#(n(x))" cy="\#(n(y))" r="\#(n(size * 0.6))" fill="\#(color)" stroke="none"\#(cls(cssClass))/>"#)
        case .cross:
            let s = size
            elements.append(#"<path d="M\#(n(x - s)),\#(n(y - s)) L\#(n(x + s)),\#(n(y + s)) M\#(n(x - s)),\#(n(y + s)) L\#(n(x + s)),\#(n(y - s))" stroke="\#(color)" stroke-width="2" fill="none" data-x="\#(n(x))" data-y="\#(n(y))"\#(cls(cssClass))/>"#)
        }
    }

    /// Text anchored at (x, y).
    public mutating func text(_ string: String, _ x: Double, _ y: Double, size: Double = 12, anchor: String = "start", weight: String? = nil,
                              color: String = "#222222", rotate: Double? = nil, cssClass: String? = nil) {
        let transform = rotate.map { #" transform="rotate(\#(n($0)) \#(n(x)) \#(n(y)))""# } ?? ""
        elements.append(#"<text x="\#(n(x))" y="\#(n(y))" font-family="sans-serif" font-size="\#(n(size))" text-anchor="\#(anchor)" fill="\#(color)"\#(weight.map { #" font-weight="\#($0)""# } ?? "")\#(transform)\#(cls(cssClass))>\#(SVGDocument.escape(string))</text>"#)
    }

    /// The document as SVG 1.1 text, starting with the XML declaration.
    /// - Parameter title: The document title (shown by browsers, read by screen readers).
    public func render(title: String) -> String {
        var s = #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n"
        s += #"<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="\#(n(width))" height="\#(n(height))" viewBox="0 0 \#(n(width)) \#(n(height))">"# + "\n"
        s += "<title>\(SVGDocument.escape(title))</title>\n"
        for e in elements { s += e + "\n" }
        s += "</svg>\n"
        return s
    }

    /// Escapes `&`, `<`, `>`, `"` and `'` for XML text and attributes.
    public static func escape(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(c)
            }
        }
        return out
    }

    private func cls(_ c: String?) -> String { c.map { #" class="\#(SVGDocument.escape($0))""# } ?? "" }
}

/// A marker shape.
public enum MarkerShape: Sendable {
    /// An open circle (the audiogram's right ear, "O").
    case circle
    /// An X (the audiogram's left ear).
    case cross
    /// A small filled dot.
    case dot
}

/// Formats a coordinate with at most two decimals.
func n(_ x: Double) -> String {
    let r = (x * 100).rounded() / 100
    if r == r.rounded() && abs(r) < 1e9 { return String(Int(r)) }
    return String(format: "%.2f", r)
}

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
        while v <= hi + 1e-9 { ticks.append((v, String(format: "%g", abs(v) < 1e-9 ? 0 : v))); v += step }
        return PlotAxis(from: from, to: to, label: label, ticks: ticks)
    }
}

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
