#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SoundProfileIO

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where `process` writes each input, checked before anything is written: no output is an
/// input, no two inputs share an output, and no existing file is replaced unless asked.
struct OutputPlan {
    /// The output path of each input, in input order: `<outputDir>/<stem>.<extension>`.
    let paths: [String]

    /// Plans the outputs and refuses the whole run when one is unsafe.
    /// - Parameters:
    ///   - inputs: The input files as given.
    ///   - outputDir: The output folder as given (it may not exist yet).
    ///   - fileExtension: The outputs' extension, without the dot.
    ///   - overwrite: Whether an existing output (never an input) may be replaced.
    ///   - alsoRead: Other files the run reads (the profile): never replaced either.
    /// - Throws: ``CLIError`` after printing every conflict (one line each, naming the files).
    init(inputs: [String], outputDir: String, fileExtension: String, overwrite: Bool, alsoRead: [String] = []) throws {
        let base = outputDir.hasSuffix("/") && outputDir.count > 1 ? String(outputDir.dropLast()) : outputDir
        paths = inputs.map { input in
            let stem = input == StandardInput.name ? "stdin" : PathText.stem(input)  // `-`: standard input
            return base + "/" + stem + "." + fileExtension
        }
        let inputIdentities = inputs.map { $0 == StandardInput.name ? nil : FileIdentity(path: $0) }
        // How each input is named in a message: `-` is "standard input".
        let names = inputs.map { $0 == StandardInput.name ? "standard input" : $0 }
        var problems: [(subject: String, reason: String)] = []
        var claimed: [String: Int] = [:]  // resolved output path → the first input written there
        for (i, output) in paths.enumerated() {
            let resolvedOutput = resolvedPath(output)
            if let first = claimed[resolvedOutput] {
                let sameInput = inputIdentities[first] != nil && inputIdentities[first] == inputIdentities[i]
                problems.append((names[i], sameInput
                    ? "is given more than once (also as \(names[first]))"
                    : "would be written to \(output), as \(names[first]) is; process them into separate --output-dir folders"))
                continue
            }
            claimed[resolvedOutput] = i
            let outputIdentity = FileIdentity(path: output)
            if let j = inputs.indices.first(where: { j in
                resolvedPath(inputs[j]) == resolvedOutput || (outputIdentity != nil && inputIdentities[j] == outputIdentity)
            }) {
                problems.append((names[i], j == i
                    ? "the output \(output) would be this input itself; choose another --output-dir"
                    : "the output \(output) would be the input \(names[j]); choose another --output-dir"))
                continue
            }
            if let other = alsoRead.first(where: { resolvedPath($0) == resolvedOutput || (outputIdentity != nil && FileIdentity(path: $0) == outputIdentity) }) {
                problems.append((names[i], "the output \(output) would overwrite \(other), which this run reads (the profile); choose another --output-dir"))
                continue
            }
            if pathEntryExists(output) {
                if PathText.isDirectory(output) {
                    problems.append((output, "is a folder, so the output of \(names[i]) cannot be written there"))
                } else if !overwrite {
                    problems.append((output, "exists already (the output of \(names[i])); use --overwrite to replace it"))
                }
            }
        }
        guard problems.isEmpty else {
            for problem in problems { reportError("process", problem.subject, problem.reason) }
            throw CLIError(nil, "nothing was written: \(problems.count) output\(problems.count == 1 ? " was" : "s were") refused")
        }
    }
}

/// Whether anything is at `path`, a dangling symbolic link included (`stat` would say no, and
/// the output would then fail only after the whole file was processed).
func pathEntryExists(_ path: String) -> Bool {
    var info = stat()
    return lstat(path, &info) == 0
}

/// The device and inode of an existing file (after symbolic links), so two names of one file
/// (a hard link, a symbolic link, `a/../x.wav`) compare equal.
struct FileIdentity: Equatable {
    var device: UInt64
    var inode: UInt64

    /// Nil when nothing exists at `path`.
    init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
    }
}

/// `path` made absolute with every symbolic link resolved, as far as it exists: the existing
/// part through realpath(3), the rest appended as given (normalised).
func resolvedPath(_ path: String) -> String {
    let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    let standard = PathText.standardized(absolute)
    if let real = realpath(standard, nil) {
        defer { free(real) }
        return String(cString: real)
    }
    let parent = PathText.deletingLastComponent(standard)
    guard parent != standard, !parent.isEmpty else { return standard }
    return PathText.appending(PathText.lastComponent(standard), to: resolvedPath(parent))
}

/// Throws when `output` is one of `inputs` (after resolving symbolic links, or the same file
/// under another name): `fit --output`, `plot --output` and `verify --plot` never write over
/// the file they read.
/// - Throws: ``CLIError`` naming the output.
func refuseWritingOverInput(_ output: String, inputs: [String]) throws {
    guard output != StandardInput.name else { return }  // standard output is no input
    let identity = FileIdentity(path: output)
    for input in inputs where resolvedPath(input) == resolvedPath(output) || (identity != nil && FileIdentity(path: input) == identity) {
        throw CLIError(output, "is the input \(input); write the output to another file")
    }
}

/// Checks a command's output files before anything is read or written: none is a file the
/// command reads (through symbolic and hard links), none lies inside a folder it reads, none
/// is a folder, and no two name the same file. `-` (standard output) and nil are skipped.
/// - Parameters:
///   - outputs: Each output as (option, path as given).
///   - inputs: The files the command reads.
///   - readFolder: A folder whose every file the command may read (`merge`'s run folder).
/// - Throws: ``CLIError`` naming the output: exit 2 when two options name one file (the command
///   line contradicts itself), else 1.
func refuseUnsafeOutputs(_ outputs: [(option: String, path: String?)], inputs: [String], readFolder: String? = nil) throws {
    var named: [(option: String, path: String, resolved: String)] = []
    for case let (option, path?) in outputs where path != StandardInput.name {
        let resolved = resolvedPath(path)
        if let other = named.first(where: { $0.resolved == resolved }) {
            throw CLIError(path, "is given as both \(other.option) and \(option); each output needs a file of its own", exitCode: 2)
        }
        named.append((option, path, resolved))
        if PathText.isDirectory(path) { throw CLIError(path, "is a folder; \(option) names the file to write") }
        if let identity = FileIdentity(path: path) {
            // An output that does not exist yet cannot be an input: only existing ones are compared.
            for input in inputs where input != StandardInput.name && FileIdentity(path: input) == identity {
                throw CLIError(path, "is the input \(input); \(option) must name another file")
            }
        }
        if let readFolder {
            let root = resolvedPath(readFolder)
            if resolved == root || resolved.hasPrefix(root.hasSuffix("/") ? root : root + "/") {
                throw CLIError(path, "is inside \(readFolder), which this command reads; \(option) must name a file outside it")
            }
        }
    }
}
