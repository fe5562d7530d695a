import Benchmark
import BenchmarkSupport
import SoundProfileDSP

/// The DSP benchmarks. Every figure is per operation (one FFT pair, one analysis frame, one
/// block, one fitting, one 60 s analysis), each operation timed on its own (see BenchmarkSupport).
/// Names are what Benchmarks/budgets.json refers to: rename both together.
let benchmarks: @Sendable () -> Void = {
    // The floor: FFTW r2c + c2r of each preset's size (64, 128, 256), plus 512 for reference and
    // 4096 (the batch analysis size).
    for size in [64, 128, 256, 512, 4096] {
        perOperationBenchmark("FFT pair N=\(size)", opsPerSample: 1_000, samples: 200, mallocs: true,
                              setup: { try FFTPair(size: size) },
                              operation: { $0.run() })
    }

    // One analysis frame: window, FFT, weighted band powers, levels in dB SPL.
    perOperationBenchmark("BandAnalyzer frame fs=48000 N=4096 third-octave 25-20k", opsPerSample: 1_000, samples: 50,
                          setup: { try AnalyzerFrame(sampleRate: 48000, fftSize: 4096, layout: analysisLayout(sampleRate: 48000)) },
                          operation: { $0.run() })
    perOperationBenchmark("BandAnalyzer frame fs=24000 N=128 third-octave 125-8k", opsPerSample: 1_000, samples: 200,
                          setup: { try AnalyzerFrame(sampleRate: 24000, fftSize: 128, layout: ProcessorConfiguration.defaultLayout) },
                          operation: { $0.run() })

    // The real-time path: one block per operation, per preset, one ear and both ears.
    for configuration in ProcessorConfiguration.presets {
        let name = configuration.name!
        perOperationBenchmark("Block mono \(name)", opsPerSample: 1_000, samples: 200,
                              setup: { try MonoBlocks(configuration: configuration) },
                              operation: { $0.run() })
        perOperationBenchmark("Block stereo \(name)", opsPerSample: 1_000, samples: 200,
                              setup: { try StereoBlocks(configuration: configuration) },
                              operation: { $0.run() })
    }

    // Fitting: audiogram → NAL-R → per-band WDRC profile, both ears (not real-time; allocates).
    perOperationBenchmark("Fit NAL-R both ears", opsPerSample: 1_000, samples: 40,
                          setup: { try Fitting() },
                          operation: { $0.run() })

    // Batch analysis of 60 s at 48 kHz held in memory: the per-channel work of
    // `soundprofile analyze` without the file reader (see BatchAnalysis).
    perOperationBenchmark("Analysis 60 s 48 kHz in memory", opsPerSample: 1, samples: 20, maxSeconds: 20,
                          setup: { BatchAnalysis(seconds: 60, sampleRate: 48000) },
                          operation: { $0.run() })
}
