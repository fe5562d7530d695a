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
    return cFormat("%.2f", r)
}
