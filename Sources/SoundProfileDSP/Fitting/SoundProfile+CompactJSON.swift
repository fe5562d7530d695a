/// JSON text written directly, in exactly the bytes Foundation's `JSONEncoder` gives with
/// `[.sortedKeys, .withoutEscapingSlashes]`: the service stores a fitted profile once and then
/// serves that text, and going through `Encoder` cost ~1 µs per number (a third of a
/// `POST /v1/profiles`). Tests compare the bytes with `JSONEncoder`'s on fitted profiles.
public enum CompactJSON {
    /// Appends `text` as a JSON string: `"` and `\` escaped, control characters as
    /// `\b \f \n \r \t` or `\u00xx`, everything else (slashes, non-ASCII) as it is.
    public static func appendString(_ text: String, to out: inout String) {
        out.append("\"")
        var start = text.utf8.startIndex
        var index = start
        let utf8 = text.utf8
        while index != utf8.endIndex {
            let byte = utf8[index]
            if byte >= 0x20 && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\") {
                index = utf8.index(after: index)
                continue
            }
            out.append(contentsOf: text[start..<index])
            switch byte {
            case UInt8(ascii: "\""): out.append("\\\"")
            case UInt8(ascii: "\\"): out.append("\\\\")
            case 0x08: out.append("\\b")
            case 0x0C: out.append("\\f")
            case 0x0A: out.append("\\n")
            case 0x0D: out.append("\\r")
            case 0x09: out.append("\\t")
            default:
                let hex = Array("0123456789abcdef")
                out.append("\\u00")
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0F)])
            }
            index = utf8.index(after: index)
            start = index
        }
        out.append(contentsOf: text[start..<index])
        out.append("\"")
    }

    /// Appends a finite number as the encoder writes it: the shortest text that reads back
    /// as the same `Double` (Swift's `description`), without a trailing `.0`.
    /// - Throws: `EncodingError.invalidValue` for NaN and ±∞, as the encoder does.
    public static func appendNumber(_ value: Double, to out: inout String) throws {
        guard value.isFinite else {
            throw EncodingError.invalidValue(value, .init(codingPath: [], debugDescription: "Unable to encode \(value) directly in JSON."))
        }
        let text = value.description
        if text.hasSuffix(".0") { out.append(contentsOf: text.dropLast(2)) } else { out.append(text) }
    }
}

extension SoundProfile {
    /// The profile JSON, compact with sorted keys — byte for byte what `JSONEncoder` with
    /// `[.sortedKeys, .withoutEscapingSlashes]` writes for this profile, without the encoder.
    /// - Throws: `EncodingError.invalidValue` for a non-finite number (a validated profile has none).
    public func compactJSON() throws -> String {
        var out = ""
        out.reserveCapacity(1024 + ears.values.reduce(0) { $0 + 300 * $1.bands.count + 60 * $1.targets.count })
        out.append("{\"ears\":{")
        var firstEar = true
        for ear in [Ear.left, .right] {
            guard let profile = ears[ear] else { continue }
            if !firstEar { out.append(",") }
            firstEar = false
            out.append(ear == .left ? "\"left\":{\"bands\":[" : "\"right\":{\"bands\":[")
            for (index, band) in profile.bands.enumerated() {
                if index > 0 { out.append(",") }
                out.append("{\"attackMilliseconds\":"); try CompactJSON.appendNumber(band.attackMilliseconds, to: &out)
                out.append(",\"centerHz\":"); try CompactJSON.appendNumber(band.centerHz, to: &out)
                out.append(",\"compressionRatio\":"); try CompactJSON.appendNumber(band.compressionRatio, to: &out)
                out.append(",\"expansionRatio\":"); try CompactJSON.appendNumber(band.expansionRatio, to: &out)
                out.append(",\"expansionThresholdDBSPL\":"); try CompactJSON.appendNumber(band.expansionThresholdDBSPL, to: &out)
                out.append(",\"gain65DB\":"); try CompactJSON.appendNumber(band.gain65DB, to: &out)
                out.append(",\"kneepointDBSPL\":"); try CompactJSON.appendNumber(band.kneepointDBSPL, to: &out)
                out.append(",\"lowerHz\":"); try CompactJSON.appendNumber(band.lowerHz, to: &out)
                out.append(",\"mpoDBSPL\":"); try CompactJSON.appendNumber(band.mpoDBSPL, to: &out)
                out.append(",\"releaseMilliseconds\":"); try CompactJSON.appendNumber(band.releaseMilliseconds, to: &out)
                out.append(",\"upperHz\":"); try CompactJSON.appendNumber(band.upperHz, to: &out)
                out.append("}")
            }
            out.append("],\"targets\":[")
            for (index, target) in profile.targets.enumerated() {
                if index > 0 { out.append(",") }
                out.append("{\"frequencyHz\":"); try CompactJSON.appendNumber(target.frequencyHz, to: &out)
                out.append(",\"insertionGainDB\":"); try CompactJSON.appendNumber(target.insertionGainDB, to: &out)
                out.append("}")
            }
            out.append("]}")
        }
        out.append("},\"fullScaleDBSPL\":"); try CompactJSON.appendNumber(fullScaleDBSPL, to: &out)
        if let preset { out.append(",\"preset\":"); CompactJSON.appendString(preset, to: &out) }
        out.append(",\"rule\":"); CompactJSON.appendString(rule, to: &out)
        out.append(",\"schemaVersion\":"); out.append(String(schemaVersion))
        out.append("}")
        return out
    }
}
