import FoundationEssentials
import MoodbiomeCore
import MoodbiomeIO

extension Words {
    /// The text `moodbiome metrics` prints: every metric of the registry with
    /// its aliases, what it measures, and whether it needs integer counts.
    public static func metricCatalogue() -> String {
        var lines = ["Alpha-diversity metrics (scikit-bio 0.7 names). [counts] = needs integer counts.", ""]
        for definition in AlphaMetricDefinition.registry {
            let name = definition.takesOrder ? definition.name + "[_Q]" : definition.name
            let aliases = definition.aliases.isEmpty ? "" : " (also: \(definition.aliases.joined(separator: ", ")))"
            let tag = definition.requiresCounts ? " [counts]" : ""
            lines.append("  \(name.padded(to: 18)) \(definition.summary)\(tag)\(aliases)")
        }
        lines.append("")
        lines.append("Q is the order (a number or inf; default 2). `all` = every metric above with hill_0, hill_1, hill_2, renyi_2, tsallis_2;")
        lines.append("faith_pd only with --tree.")
        lines.append("")
        lines.append("Beta-diversity metrics (`moodbiome beta --metric`, `analyze --beta`). [tree] = needs --tree.")
        lines.append("")
        for definition in BetaMetricDefinition.registry {
            let aliases = definition.aliases.isEmpty ? "" : " (also: \(definition.aliases.joined(separator: ", ")))"
            let tag = definition.needsTree ? " [tree]" : ""
            lines.append("  \(definition.name.padded(to: 28)) \(definition.summary)\(tag)\(aliases)")
        }
        return lines.joined(separator: "\n")
    }

    /// The text of `moodbiome scales`: each instrument's items, ranges,
    /// reverse items, bands, missing-item rule and source.
    public static func scaleCatalogue() -> String {
        var out = ""
        for s in MoodScale.all {
            let ranges = Set(s.itemMaximum).count == 1 ? "\(s.itemCount) items 0–\(s.itemMaximum[0])"
                : "\(s.itemCount) items (" + Dictionary(grouping: s.itemMaximum.indices, by: { s.itemMaximum[$0] })
                    .sorted { $0.key > $1.key }.map { "0–\($0.key): \($0.value.map { String($0 + 1) }.joined(separator: ","))" }.joined(separator: "; ") + ")"
            out += "\(s.id)\n  \(s.name) — \(s.construct)\n  \(ranges), total 0–\(s.maximumTotal)"
            if !s.reversedItems.isEmpty { out += "; reverse-scored items \(s.reversedItems.sorted().map(String.init).joined(separator: ", "))" }
            if !s.letteredItems.isEmpty { out += "; items \(s.letteredItems.sorted().map(String.init).joined(separator: " and ")) answered 0, 1a, 1b, 2a, 2b, 3a, 3b" }
            out += "\n  bands: " + s.bands.map { "\(NumberStyle.roundTrip.format($0.lower))–\(NumberStyle.roundTrip.format($0.upper)) \($0.name)" }.joined(separator: ", ")
            out += "\n  missing items: " + (s.maxMissing == 0 ? "none allowed" : "up to \(s.maxMissing) prorated (mean of the answered items)")
            out += "\n  source: \(s.source)\n\n"
        }
        return out
    }
}
