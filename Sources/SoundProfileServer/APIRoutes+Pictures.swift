import Hummingbird
import Foundation
import NIOCore
import SoundProfileDSP
import SoundProfileIO
import SoundProfileStore

/// The pictures of stored objects as self-contained SVG (`image/svg+xml`), with the same access
/// rules as their JSON: another user's object is 404.
extension APIRoutes {
    func addPictures(to group: RouterGroup<AppRequestContext>) {
        group.getAndHead("audiograms/{id}.svg", use: getAudiogramSVG)
        group.getAndHead("profiles/:id/report.svg", use: getProfileReportSVG)
        group.getAndHead("analyses/{id}.svg", use: getAnalysisSVG)
    }

    static func svgResponse(_ picture: SVGPicture) -> Response {
        Response(status: .ok, headers: [.contentType: "image/svg+xml; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: picture.svg)))
    }

    @Sendable func getAudiogramSVG(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = try UUID.path(context.parameters.get("id"), "audiogram")
        guard let record = try await repository.audiogram(id: id) else { throw APIError.notFound("audiogram") }
        try visible(record.userId, context, "audiogram")
        func ear(_ e: EarThresholds?) -> [Double: Double]? {
            e.map { Dictionary($0.compactMap { k, v in Double(k).map { ($0, v) } }, uniquingKeysWith: { a, _ in a }) }
        }
        let audiogram = try Audiogram(right: ear(record.right), left: ear(record.left))
        return Self.svgResponse(Pictures.audiogram(audiogram, title: "Audiogram \(record.id.uuidString.lowercased())"))
    }

    /// The test-box sheet (``TestBox``) of a stored profile. Query: `ear` (right or left; default
    /// the right ear when fitted), `preset` (pod16k, pod24k, studio48k; default the profile's, else pod24k).
    @Sendable func getProfileReportSVG(_ request: Request, context: AppRequestContext) async throws -> Response {
        let record = try await ownedProfile(context)
        let profile: SoundProfile
        do {
            profile = try JSONDecoder().decode(SoundProfile.self, from: record.profile.data)
        } catch {
            throw APIError(.internalServerError, "the stored profile could not be read: \(error)")
        }
        var validator = Validator()
        let earText = request.uri.queryParameters.get("ear")
        let presetText = request.uri.queryParameters.get("preset")
        if let earText { validator.oneOf(earText, ["right", "left"], field: "ear") }
        if let presetText { validator.oneOf(presetText, ProcessorConfiguration.presets.map { $0.name! }, field: "preset") }
        try validator.check()
        let ear = earText.flatMap(Ear.init(rawValue:)) ?? (profile[.right] != nil ? .right : .left)
        guard profile[ear] != nil else { throw APIError.invalid("ear", "the profile has no \(ear.rawValue) ear") }
        let configuration = ProcessorConfiguration.preset(named: presetText ?? profile.preset ?? "pod24k") ?? .pod24k
        // About 0.3 s of CPU in a release build: on its own thread, so it holds none of the few
        // cooperative threads the other requests run on.
        let report = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<VerificationReport, any Error>) in
            Thread { continuation.resume(with: Result { try TestBox(profile: profile, ear: ear, configuration: configuration).run() }) }.start()
        }
        return Self.svgResponse(Pictures.verification(report))
    }

    @Sendable func getAnalysisSVG(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = try UUID.path(context.parameters.get("id"), "analysis")
        guard let record = try await repository.analysis(id: id) else { throw APIError.notFound("analysis") }
        try visible(record.userId, context, "analysis")
        do {
            return Self.svgResponse(try Pictures.analysis(record.analysis.data, title: "Analysis \(record.id.uuidString.lowercased())"))
        } catch {
            throw APIError(.internalServerError, "the stored analysis could not be drawn: \(error)")
        }
    }
}
