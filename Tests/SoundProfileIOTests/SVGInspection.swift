import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import SoundProfileIO

/// Reads an SVG document back with Foundation's XMLParser: every element with its attributes,
/// and whether the document is well-formed XML.
final class SVGInspection: NSObject, XMLParserDelegate {
    struct Element {
        var name: String
        var attributes: [String: String]
        func number(_ key: String) -> Double? { attributes[key].flatMap(Double.init) }
        var classes: [String] { (attributes["class"] ?? "").split(separator: " ").map(String.init) }
    }
    private(set) var elements: [Element] = []
    private(set) var texts: [String] = []
    private var currentText = ""
    private(set) var error: (any Error)?
    private(set) var wellFormed = false

    init(_ svg: String) {
        super.init()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = self
        wellFormed = parser.parse()
        if !wellFormed { error = parser.parserError }
    }

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName qName: String?,
                attributes attributeDict: [String: String] = [:]) {
        elements.append(Element(name: elementName, attributes: attributeDict))
        currentText = ""
    }
    func parser(_ parser: XMLParser, foundCharacters string: String) { currentText += string }
    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
        if elementName == "text" || elementName == "title" { texts.append(currentText) }
        currentText = ""
    }

    /// Elements carrying CSS class `c`.
    func withClass(_ c: String) -> [Element] { elements.filter { $0.classes.contains(c) } }
    /// The points of the polyline with class `c`.
    func polylinePoints(_ c: String) -> [(Double, Double)] {
        guard let p = withClass(c).first(where: { $0.name == "polyline" })?.attributes["points"] else { return [] }
        return p.split(separator: " ").map { pair in
            let xy = pair.split(separator: ",").map { Double($0)! }
            return (xy[0], xy[1])
        }
    }
}
