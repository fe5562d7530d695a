import Foundation
#if canImport(Glibc)
import Glibc
#endif

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
    /// A loopback port the kernel has free now: bound to port 0, read back, released. A random
    /// pick from a fixed range can land inside Linux's ephemeral range (32768-60999), on a port
    /// some outgoing connection holds, and the server under test then cannot bind.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(fd, generic, length) == 0 && getsockname(fd, generic, &length) == 0
            }
        }
        guard bound else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("soundprofile-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
