import ArgumentParser
import Foundation
import SoundProfileStore

/// `soundprofile migrate`: apply pending schema migrations and exit.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply pending database migrations (serve also applies them at start-up)."
    )

    @OptionGroup var options: ServiceOptions

    func run() async throws {
        try options.prepareDataDirectory()
        let store = try await StoreFactory.open(url: options.databaseURL)
        try await store.withRunning { store in
            try await store.migrate()
        }
        print("migrations applied")
    }
}
