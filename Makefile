# SoundProfile — the two commands a newcomer needs:
#   make demo   installs the system packages (Debian/Ubuntu, needs root or sudo), builds, and
#               analyses the audio fixtures (the main job)
#   make test   runs the whole test suite
#   make slurm-test  the scale-out path on a real one-node Slurm cluster (root; see .ci/slurm-test.sh)
SHELL := /bin/bash
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_PACKAGES := libfftw3-dev libsndfile1-dev libsamplerate0-dev pkg-config librsvg2-bin
BIN := .build/release/soundprofile

.PHONY: build-cli bench-startup demo deps build test slurm-test bench bench-check bench-ci bench-gate bench-instructions clean fuzz contract

deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing:$$missing"; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y --no-install-recommends $$missing; \
	fi

# Two executables: soundprofile (analyze, fit, process, …) and soundprofile-service (serve,
# migrate, token, seed-demo), which `soundprofile serve …` runs from the same folder. Both link
# the Swift runtime statically: they run on a machine without a Swift toolchain, and a short
# `soundprofile` command skips the dynamic linking of the runtime (a third of its start-up).
SWIFT_RELEASE := swift build -c release --static-swift-stdlib
build-cli: deps
	$(SWIFT_RELEASE) --product soundprofile

build: build-cli
	$(SWIFT_RELEASE) --product soundprofile-service

# The main job needs only the batch tool.
demo: build-cli
	$(BIN) analyze Fixtures/audio --bands octave --range 125-8000 --format table

test: deps
	swift test

# Installs Slurm (Debian), starts a throwaway one-node cluster on loopback, runs
# deploy/slurm/analyze.sbatch as a 4-task array, merges, compares with a one-machine run, loses and
# re-runs one task, validates deploy/kubernetes/analyze-job.yaml; stops every daemon it started.
slurm-test: deps
	.ci/slurm-test.sh

# Fuzzing (Fuzz/, its own package; ASan + libFuzzer): builds each target and runs it for
# FUZZ_SECONDS (default 60) seeded from Fixtures/; exits 1 on any crash, keeping the input in
# Fuzz/crashes/. FUZZ_TARGETS picks targets (default: all four).
FUZZ_SECONDS ?= 60
fuzz: deps
	FUZZ_SECONDS=$(FUZZ_SECONDS) $(if $(FUZZ_TARGETS),FUZZ_TARGETS="$(FUZZ_TARGETS)") Fuzz/fuzz.sh

# Benchmarks (Benchmarks/, its own package; release build). BENCH_SCRATCH picks the build folder
# inside Benchmarks/ (default .build); budgets and their reasons are in Benchmarks/budgets.json.
BENCH_SCRATCH ?= .build
BENCH_RESULTS := $(CURDIR)/Benchmarks/.results
BENCH_TIGHTEN ?= 1

bench: deps
	cd Benchmarks && swift package --scratch-path $(BENCH_SCRATCH) --disable-sandbox benchmark

# The gate: short runs of every benchmark, exported as JMH JSON, then every budget checked by
# Benchmarks/check_budgets.py; exits 1 naming each budget exceeded and by how much, 0 otherwise.
# `make bench-check BENCH_TIGHTEN=100` divides every budget by 100 to show it failing.
bench-check: deps
	@$(MAKE) --no-print-directory bench-gate BENCH_RUN=short

# For CI: the shortest runs of the DSP benchmarks only (no service stack to build), checking the
# malloc gate (zero per block), the real-time budgets and fitting (budgets.json "ci").
bench-ci: deps
	@$(MAKE) --no-print-directory bench-gate BENCH_RUN=ci BENCH_TARGETS="--target SoundProfileBenchmarks" BENCH_CHECK=--ci

bench-gate:
	rm -rf $(BENCH_RESULTS) Benchmarks/.fftw-wisdom
	cd Benchmarks && SOUNDPROFILE_BENCH_RUN=$(BENCH_RUN) swift package --scratch-path $(BENCH_SCRATCH) \
	  --disable-sandbox benchmark $(BENCH_TARGETS) --format jmh --path $(BENCH_RESULTS) --no-progress
	python3 Benchmarks/check_budgets.py $(BENCH_RESULTS) --tighten $(BENCH_TIGHTEN) $(BENCH_CHECK)

# The deterministic instruction gate: instructions per pod block and per analysis frame, counted
# by valgrind's callgrind (the same count on every run, however busy the machine), checked
# against budgets.json "instructions" by Benchmarks/check_instructions.py; exits 1 naming each
# budget exceeded and by how much. `make bench-instructions BENCH_TIGHTEN=2` halves every budget
# to show it failing. Builds only the small instruction-counts executable (DSP, no service stack).
# The start-up gate: instructions of whole short `soundprofile analyze` and `process` commands
# (a 0.2 s file; process with every preset's profile and with refitted third-octave profiles),
# start-up included, against budgets.json "startup" (issue 12: under 30 M each).
bench-startup: build-cli
	@command -v valgrind >/dev/null || { echo "Installing: valgrind"; $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y --no-install-recommends valgrind; }
	python3 Benchmarks/startup/check_startup.py $(BIN) --tighten $(BENCH_TIGHTEN)

bench-instructions: deps
	@command -v valgrind >/dev/null || { echo "Installing: valgrind"; $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y --no-install-recommends valgrind; }
	cd Benchmarks && swift build -c release --scratch-path $(BENCH_SCRATCH) --product instruction-counts
	python3 Benchmarks/check_instructions.py Benchmarks/$(BENCH_SCRATCH)/release/instruction-counts --tighten $(BENCH_TIGHTEN)

# Contract test: schemathesis (every check) against a live debug `serve` on 127.0.0.1 with a
# temporary data directory (.ci/schemathesis.sh); ST_EXAMPLES bounds examples per operation.
contract: deps
	swift build
	.ci/schemathesis.sh

clean:
	rm -rf .build Benchmarks/.build Benchmarks/.results Benchmarks/.fftw-wisdom
