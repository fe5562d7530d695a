// libFuzzer's driver entry point (compiler-rt, LLVM ≥ 11): runs the fuzzer with the given
// command line and callback. SwiftPM links an executable's `main` to the module's own entry
// point, so each fuzz target's main.swift calls this instead of relying on libFuzzer's `main`.
#include <stddef.h>
#include <stdint.h>
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*UserCb)(const uint8_t *Data, size_t Size));
