import Foundation

/// Runs the built `soundprofile` executable as a user would, capturing its output.
enum CLI {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        var stdoutData: Data
    }

    /// The folder holding the build products (the test bundle's folder).
    static var productsDirectory: URL {
        let exe = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var dir = exe.deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: dir.appendingPathComponent("soundprofile").path), dir.path != "/" {
            dir = dir.deletingLastPathComponent()
        }
        return dir
    }

    /// The package root (where Fixtures/ lives).
    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// A path inside Fixtures/.
    static func fixture(_ relative: String) -> String { packageRoot.appendingPathComponent("Fixtures/\(relative)").path }

    /// Runs `soundprofile args…` (or another built `executable`) in `directory` with extra
    /// environment variables.
    static func run(_ args: [String], in directory: URL? = nil, environment: [String: String] = [:], stdin: Data? = nil,
                    executable: String = "soundprofile") throws -> Result {
        try launch(productsDirectory.appendingPathComponent(executable), args, in: directory, environment: environment, stdin: stdin)
    }

    /// Runs any program with `arguments` and collects its status and both outputs.
    static func launch(_ program: URL, _ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:],
                       stdin: Data? = nil) throws -> Result {
        let process = Process()
        process.executableURL = program
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        if let stdin {
            let input = Pipe()
            process.standardInput = input
            try process.run()
            input.fileHandleForWriting.write(stdin)
            try input.fileHandleForWriting.close()
        } else {
            process.standardInput = FileHandle.nullDevice
            try process.run()
        }
        // Read both pipes concurrently so a full pipe cannot block the child.
        nonisolated(unsafe) var errData = Data()
        let errThread = Thread { errData = err.fileHandleForReading.readDataToEndOfFile() }
        errThread.start()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !errThread.isFinished { usleep(1000) }
        return Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self), stdoutData: outData)
    }

    /// A fresh temporary directory, removed by the caller.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("soundprofile-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
