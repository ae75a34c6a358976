/// Moodbiome's version, printed by `moodbiome --version` and recorded in
/// provenance.
public let moodbiomeVersion = "0.1.0"
