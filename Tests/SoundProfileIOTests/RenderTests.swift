import Foundation
import Testing
import SoundProfileDSP
@testable import SoundProfileIO

/// Each kind of picture rendered by a real SVG renderer (`rsvg-convert`, Debian librsvg2-bin, as
/// CI installs it): the PNG has the SVG's size, is not blank, and shows the colours it should.
@Suite struct RenderTests {
    static var renderer: String? {
        ["/usr/bin/rsvg-convert", "/usr/local/bin/rsvg-convert"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Decodes a PNG (8-bit RGB/RGBA, non-interlaced, as rsvg-convert writes) with Python's zlib
    /// and prints: width height non-white-fraction red-pixels blue-pixels distinct-colours.
    static let inspectPNG = #"""
    import sys, zlib, struct
    data = open(sys.argv[1], 'rb').read()
    assert data[:8] == b'\x89PNG\r\n\x1a\n'
    pos, idat = 8, b''
    while pos < len(data):
        n, kind = struct.unpack('>I4s', data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b'IHDR':
            w, h, depth, ctype, _, _, interlace = struct.unpack('>IIBBBBB', body)
        elif kind == b'IDAT':
            idat += body
        pos += 12 + n
    assert depth == 8 and ctype in (2, 6) and interlace == 0, (depth, ctype, interlace)
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(idat)
    stride = w * bpp
    prev = bytearray(stride)
    nonwhite = red = blue = 0
    colours = set()
    i = 0
    for y in range(h):
        f = raw[i]; i += 1
        line = bytearray(raw[i:i + stride]); i += stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if f == 1: line[x] = (line[x] + a) & 255
            elif f == 2: line[x] = (line[x] + b) & 255
            elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        for x in range(0, stride, bpp):
            r, g, bl = line[x], line[x + 1], line[x + 2]
            alpha = line[x + 3] if bpp == 4 else 255
            if alpha > 0 and (r, g, bl) != (255, 255, 255): nonwhite += 1
            if r > 180 and g < 90 and bl < 90: red += 1
            if bl > 180 and r < 90 and g < 130: blue += 1
            if len(colours) < 5000: colours.add((r, g, bl))
        prev = line
    print(w, h, nonwhite / (w * h), red, blue, len(colours))
    """#

    struct Rendered { var width: Int; var height: Int; var nonWhite: Double; var red: Int; var blue: Int; var colours: Int }

    static func render(_ picture: SVGPicture, renderer: String) throws -> Rendered {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("soundprofile-render-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let svg = dir.appendingPathComponent("p.svg"), png = dir.appendingPathComponent("p.png"), script = dir.appendingPathComponent("inspect.py")
        try Data(picture.svg.utf8).write(to: svg)
        try Data(inspectPNG.utf8).write(to: script)
        _ = try run(renderer, ["-f", "png", "-o", png.path, svg.path])
        let out = try run("/usr/bin/env", ["python3", script.path, png.path]).split(separator: " ").map(String.init)
        return Rendered(width: Int(out[0])!, height: Int(out[1])!, nonWhite: Double(out[2])!, red: Int(out[3])!, blue: Int(out[4])!,
                        colours: Int(out[5].trimmingCharacters(in: .whitespacesAndNewlines))!)
    }

    static func run(_ executable: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "\(executable) \(arguments.joined(separator: " ")) exited \(process.terminationStatus)"])
        }
        return String(decoding: data, as: UTF8.self)
    }

    static func pictures() async throws -> [(String, SVGPicture)] {
        let n3 = try PictureTests.n3()
        var options = FittingOptions(rule: .nalR)
        options.fitInChannels(of: .pod16k)
        let profile = try SoundProfile.fit(audiogram: n3, options: options)
        return [
            ("audiogram", Pictures.audiogram(n3)),
            ("profile", try Pictures.profile(profile)),
            ("analysis", try Pictures.analysis(Data(PictureTests.analysisJSON.utf8))),
            ("verification", Pictures.verification(try await VerificationTests.report())),
        ]
    }

    @Test func everyPictureRendersAtItsSizeAndIsNotBlank() async throws {
        guard let renderer = Self.renderer else {
            print("RenderTests: SKIPPED — rsvg-convert not found (apt-get install librsvg2-bin; .ci/run installs it)")
            return
        }
        for (kind, picture) in try await Self.pictures() {
            let r = try await offThePool { try Self.render(picture, renderer: renderer) }
            #expect(r.width == Int(picture.width) && r.height == Int(picture.height), "\(kind): \(r.width)×\(r.height) px")
            #expect(r.nonWhite > 0.02 && r.nonWhite < 0.8, "\(kind): \(r.nonWhite * 100) % of pixels drawn")
            #expect(r.colours > 20, "\(kind): \(r.colours) colours")
            if kind == "audiogram" || kind == "profile" {
                #expect(r.red > 200 && r.blue > 200, "\(kind): right ear red \(r.red) px, left ear blue \(r.blue) px")
            }
        }
    }
}
