/// Which ear a set of thresholds or a fitted profile belongs to.
///
/// Encodes as `"right"` / `"left"`, also when used as a dictionary key (a JSON object keyed by
/// ear). A plain value: real-time safe.
public enum Ear: String, Sendable, Hashable, CaseIterable, Codable, CodingKeyRepresentable, CustomStringConvertible {
    /// The right ear.
    case right
    /// The left ear (channel 0 of a stereo file is the left ear).
    case left

    /// `"right"` or `"left"`.
    public var description: String { rawValue }
}
