import ArgumentParser
import SoundProfileIO
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `--shard I/N` or `--shard auto`: a deterministic subset of the files, chosen by a hash of each
/// file's path relative to the input it was found under (so `corpus`, `./corpus/` and
/// `/data/corpus` pick the same files on every machine).
struct Shard: Equatable {
    var index: Int
    var count: Int

    /// The largest shard count accepted (Slurm's own MaxArraySize limit is 4 000 001).
    static let maxCount = 10_000_000

    /// The variables `--shard auto` reads, in the order it looks for them.
    static let environmentHelp = """
        Slurm job arrays: SLURM_ARRAY_TASK_ID, with the count from SLURM_ARRAY_TASK_COUNT \
        (or SLURM_ARRAY_TASK_MAX + 1 when the array starts at 0); Kubernetes Indexed Jobs: \
        JOB_COMPLETION_INDEX with JOB_COMPLETIONS (set it in the Job's env to spec.completions); \
        SOUNDPROFILE_SHARD_COUNT overrides the count (to re-run a single index of an array)
        """

    init(index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    /// Parses `I/N`, or `auto` from the scheduler's variables in `environment`.
    /// - Throws: `ValidationError` naming the option or variable, the value and what is allowed.
    init(parsing text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        if text == "auto" {
            self = try Self.fromEnvironment(environment)
            return
        }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map { Int($0) }
        guard parts.count == 2, let i = parts[0], let n = parts[1], (1...Self.maxCount).contains(n), (0..<n).contains(i) else {
            throw ValidationError("--shard '\(text)' is not allowed: it must be I/N with 0 ≤ I < N ≤ \(Self.maxCount), e.g. 0/4, or auto")
        }
        index = i
        count = n
    }

    /// The task index and count from a Slurm job array or a Kubernetes Indexed Job.
    static func fromEnvironment(_ env: [String: String]) throws -> Shard {
        let override = try number(env, "SOUNDPROFILE_SHARD_COUNT", 1...maxCount)
        if let id = try number(env, "SLURM_ARRAY_TASK_ID", 0...(maxCount - 1)) {
            let min = try number(env, "SLURM_ARRAY_TASK_MIN", 0...(maxCount - 1))
            let max = try number(env, "SLURM_ARRAY_TASK_MAX", 0...(maxCount - 1))
            let taskCount = try number(env, "SLURM_ARRAY_TASK_COUNT", 1...maxCount)
            let count: Int
            if let override {
                count = override
            } else {
                // Shards are numbered 0…N-1, so the array must be exactly 0-(N-1): a sparse or
                // offset array (e.g. --array=2 to re-run one task) cannot tell N.
                guard let n = taskCount ?? max.map({ $0 + 1 }) else {
                    throw ValidationError("--shard auto: SLURM_ARRAY_TASK_ID=\(id) is set but neither SLURM_ARRAY_TASK_COUNT nor SLURM_ARRAY_TASK_MAX is; set SOUNDPROFILE_SHARD_COUNT to the number of shards")
                }
                if (min ?? 0) != 0 || (max.map { $0 + 1 } ?? n) != n {
                    throw ValidationError("--shard auto: the Slurm array is not 0-\(n - 1) (SLURM_ARRAY_TASK_MIN=\(min.map(String.init) ?? "unset"), SLURM_ARRAY_TASK_MAX=\(max.map(String.init) ?? "unset"), SLURM_ARRAY_TASK_COUNT=\(taskCount.map(String.init) ?? "unset")); submit --array=0-(N-1), or set SOUNDPROFILE_SHARD_COUNT=N when re-running some indices of an N-task array")
                }
                count = n
            }
            return try checked(index: id, count: count, indexName: "SLURM_ARRAY_TASK_ID",
                               countName: override != nil ? "SOUNDPROFILE_SHARD_COUNT" : "SLURM_ARRAY_TASK_COUNT")
        }
        if let id = try number(env, "JOB_COMPLETION_INDEX", 0...(maxCount - 1)) {
            guard let count = try override ?? number(env, "JOB_COMPLETIONS", 1...maxCount) else {
                throw ValidationError("--shard auto: JOB_COMPLETION_INDEX=\(id) is set but JOB_COMPLETIONS is not; add it to the Job's env with the value of spec.completions (Kubernetes does not set it)")
            }
            return try checked(index: id, count: count, indexName: "JOB_COMPLETION_INDEX",
                               countName: override != nil ? "SOUNDPROFILE_SHARD_COUNT" : "JOB_COMPLETIONS")
        }
        throw ValidationError("--shard auto: no scheduler task index in the environment. It reads \(environmentHelp). Outside a scheduler, use --shard I/N")
    }

    private static func checked(index: Int, count: Int, indexName: String, countName: String) throws -> Shard {
        guard index < count else {
            throw ValidationError("--shard auto: \(indexName)=\(index) is not allowed with \(countName)=\(count): the index must be 0…\(count - 1)")
        }
        return Shard(index: index, count: count)
    }

    /// A variable's value as a whole number in `range`, `nil` when unset or empty.
    /// Values come from outside the program: anything else is an error naming the variable.
    private static func number(_ env: [String: String], _ name: String, _ range: ClosedRange<Int>) throws -> Int? {
        guard let raw = env[name] else { return nil }
        let text = raw.trimmedBlanks
        if text.isEmpty { return nil }
        guard text.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let value = Int(text), range.contains(value) else {
            throw ValidationError("--shard auto: \(name)='\(raw)' is not allowed: it must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    /// FNV-1a (64-bit) of the UTF-8 bytes: the same on every machine and run.
    static func pathHash(_ path: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in path.utf8 { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return h
    }

    /// The shard (0…count-1) that owns a file with this shard key.
    static func owner(ofKey key: String, count: Int) -> Int { Int(pathHash(key) % UInt64(count)) }

    func owns(_ file: InputFile) -> Bool { Self.owner(ofKey: file.shardKey, count: count) == index }

    func select(_ files: [InputFile]) -> [InputFile] { files.filter(owns) }
}

/// One audio file of a batch: the path as the command will open it, and the key that decides
/// its shard (its path relative to the directory input it was found in, or its file name when
/// it was named directly).
struct InputFile: Codable, Equatable {
    var path: String
    var shardKey: String
}

/// The audio files of a batch, each named once, and what the walk met on the way.
struct InputCollection {
    /// Every audio file, in input order, each once (the first spelling wins).
    var files: [InputFile] = []
    var problems = InputWalkProblems()
    /// Files named again after their first mention (the same file through another spelling,
    /// a file inside a folder also given, a folder given twice): the later path and the first.
    var duplicates: [(skipped: String, kept: String)] = []
}

/// Every audio file the inputs name, in input order (see ``collectAudioFiles(_:recursive:problems:)``),
/// each with its shard key; a file reached twice (by device and inode) is kept only the first time.
func collectInputs(_ inputs: [String], recursive: Bool) -> InputCollection {
    var result = InputCollection()
    var seen: [FileIdentity: String] = [:]
    var seenPaths: [String: String] = [:]  // files the file system does not know (standard input, a missing file)
    for input in inputs {
        let files = collectAudioFiles(input, recursive: recursive, problems: &result.problems)
        let directory = PathText.isDirectory(input)
        let base = input.hasSuffix("/") ? String(input.dropLast()) : input
        for path in files {
            if path != StandardInput.name, let id = FileIdentity(path: path) {
                if let first = seen[id] {
                    result.duplicates.append((skipped: path, kept: first))
                    continue
                }
                seen[id] = path
            } else {
                let name = PathText.standardized(path)
                if let first = seenPaths[name] {
                    result.duplicates.append((skipped: path, kept: first))
                    continue
                }
                seenPaths[name] = path
            }
            let key: String
            if directory, path.hasPrefix(base + "/") {
                key = String(path.dropFirst(base.count + 1))
            } else {
                key = PathText.lastComponent(path)
            }
            result.files.append(InputFile(path: path, shardKey: key))
        }
    }
    return result
}

/// Every audio file the inputs name, each once, with its shard key (see ``collectInputs(_:recursive:)``).
func collectInputFiles(_ inputs: [String], recursive: Bool) -> [InputFile] {
    collectInputs(inputs, recursive: recursive).files
}
