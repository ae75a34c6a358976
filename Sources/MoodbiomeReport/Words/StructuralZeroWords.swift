import FoundationEssentials
import MoodbiomeCore
import MoodbiomeIO

extension StructuralZeros {
    /// `structural_zeros.csv`: per feature checked and group, its samples,
    /// those where the feature is present, and whether it is a structural zero there.
    var table: TextTable {
        var rows = [[TextTable.Cell]]()
        for (f, feature) in features.enumerated() {
            for (l, level) in levels.enumerated() {
                rows.append([.text(feature), .text(level), .number(Double(sizes[l])), .number(Double(present[f][l])), .text(absent[f][l] ? "true" : "false")])
            }
        }
        return TextTable(columns: ["feature", group, "n_samples", "n_present", "structural_zero"], rows: rows)
    }

    /// The `filtered_features.csv` detail of feature `name`: the groups it is absent from.
    func absence(_ name: String) -> String {
        guard let f = features.firstIndex(of: name) else { return "" }
        return "absent from " + levels.indices.filter { absent[f][$0] }
            .map { "\(group) \(levels[$0]) (present in \(present[f][$0]) of \(sizes[$0]) samples)" }.joined(separator: ", ")
            + ": a structural zero, not tested"
    }
}
