#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// 10·log10 of a power, in double precision.
@inline(__always)
func decibels(power: Double) -> Double { 10 * log10(power) }

/// The power whose decibel value is `db`.
@inline(__always)
func power(decibels db: Double) -> Double { pow(10, db / 10) }
