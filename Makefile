# SoundProfile — the two commands a newcomer needs:
#   make demo   installs the system packages (Debian/Ubuntu, needs root or sudo), builds, and
#               analyses the audio fixtures (the main job)
#   make test   runs the whole test suite
SHELL := /bin/bash
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_PACKAGES := libfftw3-dev libsndfile1-dev pkg-config
BIN := .build/release/soundprofile

.PHONY: demo deps build test bench bench-check clean

deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing:$$missing"; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y --no-install-recommends $$missing; \
	fi

build: deps
	swift build -c release --product soundprofile

demo: build
	$(BIN) analyze Fixtures/audio --bands octave --range 125-8000 --format table

test: deps
	swift test

bench: deps
	cd Benchmarks && swift package --disable-sandbox benchmark

clean:
	rm -rf .build Benchmarks/.build
