import ArgumentParser
import Foundation
import SoundProfileServer
import SoundProfileStore

/// `soundprofile seed-demo`: demo users, each with an audiogram (Bisgaard-like standard shapes)
/// and a NAL-R profile fitted from it exactly as `POST /v1/profiles` fits one.
struct SeedDemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seed-demo",
        abstract: "Fill the database with demo users, audiograms and NAL-R profiles (skips users that already exist)."
    )

    @OptionGroup var options: ServiceOptions

    static let demo: [(email: String, name: String, right: EarThresholds, left: EarThresholds)] = [
        ("ada@example.com", "Ada Demo (N2, mild flat)",
         ["250": 20, "500": 20, "1000": 25, "1500": 30, "2000": 30, "3000": 35, "4000": 40, "6000": 45, "8000": 45],
         ["250": 20, "500": 20, "1000": 25, "1500": 30, "2000": 30, "3000": 35, "4000": 40, "6000": 45, "8000": 45]),
        ("grace@example.com", "Grace Demo (S2, mild sloping)",
         ["250": 10, "500": 10, "1000": 15, "1500": 20, "2000": 30, "3000": 40, "4000": 45, "6000": 50, "8000": 50],
         ["250": 10, "500": 15, "1000": 15, "1500": 25, "2000": 30, "3000": 40, "4000": 45, "6000": 50, "8000": 55]),
        ("alan@example.com", "Alan Demo (N4, moderate)",
         ["250": 55, "500": 55, "1000": 55, "1500": 60, "2000": 65, "3000": 70, "4000": 75, "6000": 80, "8000": 80],
         ["250": 55, "500": 55, "1000": 60, "1500": 60, "2000": 65, "3000": 70, "4000": 75, "6000": 80, "8000": 80]),
    ]

    func run() async throws {
        try options.prepareDataDirectory()
        let store = try await StoreFactory.open(url: options.databaseURL)
        try await store.withRunning { store in
            try await store.migrate()
            for person in Self.demo {
                if let existing = try await store.user(email: person.email) {
                    print("exists  \(existing.id.uuidString.lowercased())  \(person.email)")
                    continue
                }
                let user = try await store.createUser(email: person.email, fullName: person.name)
                let audiogram = try await store.createAudiogram(userId: user.id, measuredAt: Date(), right: person.right, left: person.left)
                let profile = try await ProfileFitting.createProfile(
                    in: store, userId: user.id, audiogramId: audiogram.id,
                    input: ProfileFitInput(right: person.right, left: person.left, rule: "nal-r")
                )
                print("created \(user.id.uuidString.lowercased())  \(person.email)  audiogram \(audiogram.id.uuidString.lowercased())  profile \(profile.id.uuidString.lowercased())")
            }
        }
    }
}
