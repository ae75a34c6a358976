import Foundation

/// The text `moodbiome metrics` prints: every metric with its aliases, what
/// it measures, and whether it needs integer counts.
public func metricCatalogue() -> String {
    var lines = ["Alpha-diversity metrics (scikit-bio 0.7 names). [counts] = needs integer counts.", ""]
    let entries: [AlphaMetric] = AlphaMetric.fixed + [.hill(order: 2), .renyi(order: 2), .tsallis(order: 2)]
    for metric in entries {
        var name = metric.name
        switch metric {
        case .hill: name = "hill[_Q]"
        case .renyi: name = "renyi[_Q]"
        case .tsallis: name = "tsallis[_Q]"
        default: break
        }
        let aliases = metric.aliases.isEmpty ? "" : " (also: \(metric.aliases.joined(separator: ", ")))"
        let tag = metric.requiresCounts ? " [counts]" : ""
        lines.append("  \(name.padding(toLength: 18, withPad: " ", startingAt: 0)) \(metric.summary)\(tag)\(aliases)")
    }
    lines.append("")
    lines.append("Q is the order (a number or inf; default 2). `all` = every metric above with hill_0, hill_1, hill_2, renyi_2, tsallis_2.")
    return lines.joined(separator: "\n")
}

