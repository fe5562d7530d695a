/// The release of this package: what `soundprofile --version` and `soundprofile-service
/// --version` print, and the tool version outputs record. Semantic versioning; this is the one
/// place it is written (bump it with the git tag of a release).
public let soundProfileVersion = "0.1.0"
