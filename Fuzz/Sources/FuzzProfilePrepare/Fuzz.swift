import Foundation
import SoundProfileDSP

// Profile JSON → strict read (duplicate-key scan, closed keys, validation) → processor
// preparation for each preset and ear. Must never trap.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Data(bytes: data, count: size)
    guard let profile = try? SoundProfile(json: bytes) else { return 0 }
    _ = try? profile.gainTables()
    for configuration in ProcessorConfiguration.presets {
        for ear in Ear.allCases {
            _ = try? ProfileProcessor(configuration: configuration, profile: profile, ear: ear)
        }
    }
    return 0
}
