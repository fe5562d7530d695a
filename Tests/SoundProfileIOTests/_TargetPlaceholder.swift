// Git does not keep empty folders, and SwiftPM refuses a test target without sources, so the
// package did not build from a clean checkout. This file keeps the SoundProfileIOTests target
// alive until the audio-file tests land; delete it then.
