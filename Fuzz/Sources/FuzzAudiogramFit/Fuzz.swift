import Foundation
import SoundProfileDSP

// Audiogram JSON → strict read (duplicate-key scan, closed keys, validation) → fit with every
// rule → gain tables. Must never trap.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Data(bytes: data, count: size)
    guard let audiogram = try? Audiogram(json: bytes) else { return 0 }
    for rule in PrescriptionRule.allCases {
        if let profile = try? SoundProfile.fit(audiogram: audiogram, options: FittingOptions(rule: rule)) {
            _ = try? profile.gainTables()
            _ = try? JSONEncoder().encode(profile)
        }
    }
    return 0
}
