/// A picture: the SVG text, its size, and the panels (axes) it was drawn with, so a reader can
/// map any number back to where it lands.
public struct SVGPicture: Sendable {
    /// The SVG document (UTF-8 text, self-contained).
    public var svg: String
    /// In pixels.
    public var width: Double
    /// In pixels.
    public var height: Double
    /// The plot panels by name (e.g. "audiogram", "gain right", "io right").
    public var panels: [String: PlotPanel]
}

/// Why a picture could not be drawn.
public struct PictureError: Error, Equatable, CustomStringConvertible {
    /// What was wrong, naming the field or file.
    public var message: String
    public var description: String { message }
}
