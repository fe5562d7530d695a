import CFuzzerDriver
#if canImport(Glibc)
import Glibc
#endif

// SwiftPM gives this executable its own `main`; hand the command line to libFuzzer's driver
// with the entry point of Fuzz.swift.
var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzz(data!, size) })
