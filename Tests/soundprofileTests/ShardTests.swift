import ArgumentParser
import Foundation
import Testing
@testable import soundprofile

/// `--shard I/N` and `--shard auto` (Slurm job arrays, Kubernetes Indexed Jobs).
@Suite struct ShardTests {
    private func message(_ body: () throws -> Shard) -> String? {
        do {
            _ = try body()
            return nil
        } catch let error as ValidationError {
            return error.message
        } catch {
            return "\(error)"
        }
    }

    @Test func explicitShards() throws {
        #expect(try Shard(parsing: "0/4", environment: [:]) == Shard(index: 0, count: 4))
        #expect(try Shard(parsing: "3/4", environment: [:]) == Shard(index: 3, count: 4))
        for bad in ["4/4", "-1/4", "1/0", "1", "a/b", "1/4/5", "", "/4", "1/99999999999999999999", "1/10000001"] {
            let m = message { try Shard(parsing: bad, environment: [:]) }
            #expect(m?.contains("--shard '\(bad)' is not allowed") == true, "\(bad): \(m ?? "accepted")")
        }
    }

    @Test func slurmJobArray() throws {
        // What sbatch --array=0-3 sets in task 2.
        let env = ["SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_COUNT": "4", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_MAX": "3"]
        #expect(try Shard(parsing: "auto", environment: env) == Shard(index: 2, count: 4))
        // Older Slurm without SLURM_ARRAY_TASK_COUNT: N = MAX + 1.
        #expect(try Shard(parsing: "auto", environment: ["SLURM_ARRAY_TASK_ID": "0", "SLURM_ARRAY_TASK_MAX": "7"]) == Shard(index: 0, count: 8))
    }

    @Test func rerunningOneIndexNeedsTheCount() throws {
        // sbatch --array=2 (re-running one lost task of 4): Slurm says count 1, min = max = 2.
        let env = ["SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_COUNT": "1", "SLURM_ARRAY_TASK_MIN": "2", "SLURM_ARRAY_TASK_MAX": "2"]
        let m = message { try Shard(parsing: "auto", environment: env) }
        #expect(m?.contains("not 0-") == true && m?.contains("SOUNDPROFILE_SHARD_COUNT") == true, "\(m ?? "accepted")")
        var fixed = env
        fixed["SOUNDPROFILE_SHARD_COUNT"] = "4"
        #expect(try Shard(parsing: "auto", environment: fixed) == Shard(index: 2, count: 4))
        fixed["SOUNDPROFILE_SHARD_COUNT"] = "2"
        #expect(message { try Shard(parsing: "auto", environment: fixed) }?.contains("SLURM_ARRAY_TASK_ID=2 is not allowed with SOUNDPROFILE_SHARD_COUNT=2") == true)
    }

    @Test func kubernetesIndexedJob() throws {
        #expect(try Shard(parsing: "auto", environment: ["JOB_COMPLETION_INDEX": "1", "JOB_COMPLETIONS": "3"]) == Shard(index: 1, count: 3))
        let m = message { try Shard(parsing: "auto", environment: ["JOB_COMPLETION_INDEX": "1"]) }
        #expect(m?.contains("JOB_COMPLETIONS") == true && m?.contains("spec.completions") == true, "\(m ?? "accepted")")
        let out = message { try Shard(parsing: "auto", environment: ["JOB_COMPLETION_INDEX": "3", "JOB_COMPLETIONS": "3"]) }
        #expect(out?.contains("JOB_COMPLETION_INDEX=3 is not allowed with JOB_COMPLETIONS=3") == true, "\(out ?? "accepted")")
    }

    @Test func noSchedulerNamesTheVariables() throws {
        for env in [[:], ["SLURM_ARRAY_TASK_ID": "", "JOB_COMPLETION_INDEX": "  "], ["SLURM_JOB_ID": "7"]] {
            let m = message { try Shard(parsing: "auto", environment: env) }
            for name in ["SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_COUNT", "JOB_COMPLETION_INDEX", "JOB_COMPLETIONS", "--shard I/N"] {
                #expect(m?.contains(name) == true, "\(env): \(m ?? "accepted")")
            }
        }
    }

    @Test(arguments: ["abc", "-1", "1.5", "1e3", "0x10", "+3", "99999999999999999999999", "9223372036854775807", "10000001", "٣"])
    func garbageFromTheEnvironmentIsRefusedByName(value: String) throws {
        for (name, other) in [("SLURM_ARRAY_TASK_ID", ["SLURM_ARRAY_TASK_COUNT": "4"]), ("SLURM_ARRAY_TASK_COUNT", ["SLURM_ARRAY_TASK_ID": "0"]),
                              ("SLURM_ARRAY_TASK_MAX", ["SLURM_ARRAY_TASK_ID": "0"]), ("JOB_COMPLETION_INDEX", ["JOB_COMPLETIONS": "4"]),
                              ("JOB_COMPLETIONS", ["JOB_COMPLETION_INDEX": "0"]), ("SOUNDPROFILE_SHARD_COUNT", ["JOB_COMPLETION_INDEX": "0"])] {
            var env = other
            env[name] = value
            let m = message { try Shard(parsing: "auto", environment: env) }
            #expect(m?.contains("\(name)='\(value)' is not allowed: it must be a whole number") == true, "\(name)=\(value): \(m ?? "accepted")")
        }
    }

    @Test func shardKeysDoNotDependOnHowTheInputIsSpelled() throws {
        let root = CLI.packageRoot.path
        let spellings = [root + "/Fixtures/audio", root + "/Fixtures/audio/", root + "/Fixtures/../Fixtures/audio", root + "/./Fixtures/audio//"]
        let keys = spellings.map { collectInputFiles([$0], recursive: true).map(\.shardKey) }
        #expect(keys[0].count == 26 && keys[0].contains("formats/pcm16.wav") && keys[0].contains("tone-1k-48k.wav"))
        for k in keys.dropFirst() { #expect(k == keys[0]) }
        // A file named directly is keyed by its name.
        #expect(collectInputFiles([root + "/Fixtures/audio/tone-1k-48k.wav"], recursive: false).map(\.shardKey) == ["tone-1k-48k.wav"])
        // So a shard selects the same files whatever the spelling, relative or absolute.
        func names(_ input: String) throws -> [String] {
            let r = try CLI.run(["analyze", input, "--recursive", "--shard", "1/3", "--format", "jsonl", "--bands", "octave", "--quiet"], in: CLI.packageRoot)
            return r.stdout.split(separator: "\n").map { line in
                let file = (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["file"] as? String ?? ""
                return String(file[file.range(of: "Fixtures/audio/")!.upperBound...])
            }
        }
        let relative = try names("Fixtures/audio"), absolute = try names(root + "/Fixtures/audio/")
        #expect(!relative.isEmpty && relative.count < 26)
        #expect(relative == absolute)
    }

    @Test func analyzeShardAutoOutsideASchedulerIsAUsageError() throws {
        let blank = ["SLURM_ARRAY_TASK_ID": "", "JOB_COMPLETION_INDEX": "", "SOUNDPROFILE_SHARD_COUNT": ""]
        let r = try CLI.run(["analyze", CLI.fixture("audio/tone-1k-48k.wav"), "--shard", "auto"], environment: blank)
        #expect(r.status == 2)
        #expect(r.stderr.contains("SLURM_ARRAY_TASK_ID") && r.stderr.contains("JOB_COMPLETION_INDEX"), "\(r.stderr)")
        let garbage = try CLI.run(["analyze", CLI.fixture("audio/tone-1k-48k.wav"), "--shard", "auto"],
                                  environment: ["SLURM_ARRAY_TASK_ID": "-3", "SLURM_ARRAY_TASK_COUNT": "4"])
        #expect(garbage.status == 2 && garbage.stderr.contains("SLURM_ARRAY_TASK_ID='-3'"), "\(garbage.stderr)")
        let k8s = try CLI.run(["analyze", CLI.fixture("audio"), "--shard", "auto", "--format", "jsonl", "--bands", "octave", "--quiet"],
                              environment: ["SLURM_ARRAY_TASK_ID": "", "JOB_COMPLETION_INDEX": "0", "JOB_COMPLETIONS": "1", "SOUNDPROFILE_SHARD_COUNT": ""])
        #expect(k8s.status == 0 && k8s.stdout.split(separator: "\n").count == 11, "\(k8s.stderr)")
    }
}

/// `main()` runs a command with `await` only when it is listed in `asyncCommands` (a cast to a
/// protocol is costly at start-up); the list must hold exactly the async subcommands.
@Suite struct AsyncCommandListTests {
    @Test func theListHoldsExactlyTheAsyncSubcommands() {
        let listed = Set(SoundProfileCommand.asyncCommands.map { ObjectIdentifier($0) })
        for type in SoundProfileCommand.configuration.subcommands {
            let isAsync = type is any AsyncParsableCommand.Type
            #expect(listed.contains(ObjectIdentifier(type)) == isAsync, "\(type): async \(isAsync), listed \(!isAsync)")
        }
    }
}
