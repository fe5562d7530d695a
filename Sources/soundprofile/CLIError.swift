import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SoundProfileDSP
import SoundProfileIO

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// The one error style of the command line. Every failure is one line on standard error:
//
//     soundprofile <command>: <file>: <reason>
//
// (`soundprofile <command>: <reason>` when no file is involved), with the reason in words: what
// is wrong and, where it helps, what is allowed or what to do. No Foundation error dumps
// (`Error Domain=NSCocoaErrorDomain …`), no Codable dumps (`CodingKeys(stringValue: …)`), and the
// file is named once. Exit status (every command): 0 success; 1 bad input or some files
// failed; 2 usage error (the command line itself is wrong); 130 interrupted.

/// A failure of one command: what it concerns (a file, or an option with its value) and why.
/// Thrown out of `run()`, it is printed in the one style by `SoundProfileCommand.main()` and ends
/// the program with ``exitCode``.
struct CLIError: Error, CustomStringConvertible {
    /// The file (or `--option value`) the failure concerns, or nil.
    var subject: String?
    /// Why, in words.
    var reason: String
    /// The exit status: 1 unless said otherwise.
    var exitCode: Int32 = 1

    init(_ subject: String?, _ reason: String, exitCode: Int32 = 1) {
        self.subject = subject
        self.reason = reason
        self.exitCode = exitCode
    }

    var description: String { (subject.map { "\($0): " } ?? "") + reason }
}

enum CLIMessage {
    /// `soundprofile <command>: <subject>: <reason>` (`soundprofile: …` without a command).
    static func line(_ command: String, _ subject: String?, _ reason: String) -> String {
        (command.isEmpty ? "soundprofile: " : "soundprofile \(command): ") + (subject.map { "\($0): " } ?? "") + reason
    }

    /// The reason an error gives, in words, without the subject when the error names it too.
    /// - Parameters:
    ///   - error: Any error.
    ///   - subject: The file the message will name, so the reason does not repeat it.
    static func reason(for error: any Error, subject: String? = nil) -> String {
        switch error {
        case let e as CLIError:
            return e.subject == nil || e.subject == subject ? e.reason : e.description
        case let e as CLIFileError:
            return e.path == subject ? e.reason : e.description
        case let e as AudioFileError:
            // Standard input is named by the line's subject ("standard input"), not as "-".
            return e.path == subject || (e.path == StandardInput.name && subject == "standard input") ? e.message : "\(e.path): \(e.message)"
        case let e as JSONKeyError: return e.description
        case let e as AudiogramError: return e.description
        case let e as FittingError: return e.description
        case let e as AnalysisInputError: return "\(e.description) (\(e.commandLineRemedy))"
        case let e as DecodingError: return decodingReason(e)
        case let e as ValidationError: return e.message
        default:
            if isFoundationError(error) { return fileReason(error) }
            return String(describing: error)
        }
    }

    /// A decoding failure in words: where in the document, and what was expected there.
    static func decodingReason(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            var text = ""
            for key in keys {
                if let i = key.intValue, key.stringValue.hasPrefix("Index ") { text += "[\(i)]" } else { text += (text.isEmpty ? "" : ".") + key.stringValue }
            }
            return text
        }
        func expected(_ t: Any.Type) -> String {
            switch t {
            case is String.Type: "a string"
            case is Int.Type: "a whole number"
            case is Double.Type, is Float.Type: "a number"
            case is Bool.Type: "true or false"
            default: String(describing: t).hasPrefix("Array") ? "an array" : "an object"
            }
        }
        switch error {
        case .keyNotFound(let key, let context):
            let at = path(context.codingPath)
            return "'\(key.stringValue)' is missing\(at.isEmpty ? "" : " in \(at)")"
        case .typeMismatch(let t, let context):
            let at = path(context.codingPath)
            return "\(at.isEmpty ? "the document" : at) must be \(expected(t))"
        case .valueNotFound(let t, let context):
            let at = path(context.codingPath)
            return "\(at.isEmpty ? "the document" : at) must be \(expected(t)), not null"
        case .dataCorrupted(let context):
            let at = path(context.codingPath)
            if at.isEmpty {
                // The JSON parser's own text, e.g. "Unexpected character 'n' around line 1, column 1."
                let detail = context.underlyingError.map { String(describing: $0) }
                    .map { String($0.reversed().drop(while: { $0 == "." || $0 == " " }).reversed()) }
                return "not valid JSON" + (detail.map { " (\($0))" } ?? "")
            }
            return "\(at): \(context.debugDescription)"
        @unknown default:
            return "not a valid document"
        }
    }

    /// Whether `error` is a Foundation (Cocoa or POSIX) error, whose description is a dump.
    static func isFoundationError(_ error: any Error) -> Bool {
        error is CocoaError || error is POSIXError
    }

    /// A file-system failure in words ("not found", "permission denied", "is a directory", …),
    /// from the POSIX error beneath a Foundation error where there is one.
    static func fileReason(_ error: any Error) -> String { fileErrorReason(error) }
}

/// Prints `soundprofile <command>: <subject>: <reason>` on standard error.
func reportError(_ command: String, _ subject: String?, _ reason: String) {
    printError(CLIMessage.line(command, subject, reason))
}

/// Prints `error` in the one style on standard error.
func reportError(_ command: String, _ subject: String?, _ error: any Error) {
    if let e = error as? CLIError, e.subject != nil, e.subject != subject {
        reportError(command, e.subject, e.reason)
    } else {
        reportError(command, subject, CLIMessage.reason(for: error, subject: subject))
    }
}

/// The whole of a (small) file the user named, or a ``CLIError`` naming it and saying why not.
/// - Parameter path: The path as given.
func readUserFile(_ path: String) throws -> Data {
    if path == StandardInput.name {
        do { return try StandardInput.contents() } catch { throw CLIError("standard input", CLIMessage.reason(for: error, subject: "standard input")) }
    }
    guard PathText.exists(path) else {
        throw CLIError(path, "not found (no such file or folder)")
    }
    if PathText.isDirectory(path) { throw CLIError(path, "is a folder, not a file") }
    // The path as it is (no URL to build, about 0.45 M instructions); only a file that cannot
    // be read is read once more through a URL, for the reason Foundation gives.
    if let data = FileManager.default.contents(atPath: path) { return data }
    do {
        return try Data(contentsOf: URL(fileURLWithPath: path))
    } catch {
        let reason = CLIMessage.fileReason(error)
        // "permission denied" says it all; other causes read "cannot read: …".
        throw CLIError(path, reason == "permission denied" ? reason : "cannot read: " + reason)
    }
}
