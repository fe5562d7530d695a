/// Left and right ``ProfileProcessor``s over a stereo stream, each with its own fitting.
///
/// Channel 0 is the left ear, channel 1 the right (DESIGN.md). Real-time safety as
/// ``ProfileProcessor``.
public final class BinauralProcessor: @unchecked Sendable {
    /// The left-ear processor (channel 0).
    public let left: ProfileProcessor
    /// The right-ear processor (channel 1).
    public let right: ProfileProcessor
    private let scratchIn: UnsafeMutableBufferPointer<Float>
    private let scratchOut: UnsafeMutableBufferPointer<Float>

    /// Prepares both ears.
    ///
    /// Not real-time safe.
    /// - Parameters:
    ///   - configuration: Shared by both ears.
    ///   - leftProfile: Fitting whose `left` ear is applied to channel 0.
    ///   - rightProfile: Fitting whose `right` ear is applied to channel 1.
    /// - Throws: As ``ProfileProcessor/init(configuration:profile:ear:planning:)``.
    public init(configuration: ProcessorConfiguration, leftProfile: SoundProfile, rightProfile: SoundProfile,
                planning: FFTPlanning = .estimate) throws {
        left = try ProfileProcessor(configuration: configuration, profile: leftProfile, ear: .left, planning: planning)
        right = try ProfileProcessor(configuration: configuration, profile: rightProfile, ear: .right, planning: planning)
        scratchIn = .allocate(capacity: 2 * configuration.hop)
        scratchIn.initialize(repeating: 0)
        scratchOut = .allocate(capacity: 2 * configuration.hop)
        scratchOut.initialize(repeating: 0)
    }

    /// Both ears from one two-ear profile.
    public convenience init(configuration: ProcessorConfiguration, profile: SoundProfile, planning: FFTPlanning = .estimate) throws {
        try self.init(configuration: configuration, leftProfile: profile, rightProfile: profile, planning: planning)
    }

    deinit {
        scratchIn.deallocate()
        scratchOut.deallocate()
    }

    /// Processes one block of interleaved stereo (L, R, L, R, …).
    ///
    /// Real-time safe.
    /// - Parameters:
    ///   - interleaved: `2 × hop` samples (precondition).
    ///   - output: Room for `2 × hop` samples (precondition).
    public func process(interleaved: UnsafeBufferPointer<Float>, output: UnsafeMutableBufferPointer<Float>) {
        let hop = left.hop
        precondition(interleaved.count == 2 * hop && output.count == 2 * hop, "BinauralProcessor.process: blocks must hold 2 × hop samples")
        for i in 0..<hop {
            scratchIn[i] = interleaved[2 * i]
            scratchIn[hop + i] = interleaved[2 * i + 1]
        }
        left.process(input: UnsafeBufferPointer(rebasing: scratchIn[0..<hop]), output: UnsafeMutableBufferPointer(rebasing: scratchOut[0..<hop]))
        right.process(input: UnsafeBufferPointer(rebasing: scratchIn[hop..<(2 * hop)]), output: UnsafeMutableBufferPointer(rebasing: scratchOut[hop..<(2 * hop)]))
        for i in 0..<hop {
            output[2 * i] = scratchOut[i]
            output[2 * i + 1] = scratchOut[hop + i]
        }
    }
}
