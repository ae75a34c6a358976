import CHDF5
import FoundationEssentials

/// How a PERMANOVA share (`permanova STRIPE.h5 --partial`) was computed, as
/// its file records it: the test's settings and the metadata rows it used,
/// so that `merge-partial` rebuilds the same design and permutations from
/// the shares alone, and refuses shares of different tests.
public struct PermanovaRecipe: Sendable {
    public var formula: String
    /// terms, margin or none.
    public var split: String
    public var permutations: Int
    public var seed: UInt64
    public var strata: String?
    /// column=level, sorted, joined by ";".
    public var references: String
    /// The joined metadata's rows (in the matrix's order) and the columns the test reads.
    public var metadata: DataTable

    public init(formula: String, split: String, permutations: Int, seed: UInt64, strata: String?, references: String, metadata: DataTable) {
        self.formula = formula
        self.split = split
        self.permutations = permutations
        self.seed = seed
        self.strata = strata
        self.references = references
        self.metadata = metadata
    }

    static let keys = ["formula", "split", "permutations", "seed", "strata", "references"]

    var attributes: [(String, String)] {
        [("formula", formula), ("split", split), ("permutations", String(permutations)), ("seed", String(seed)),
         ("strata", strata ?? ""), ("references", references)]
    }

    /// Whether two shares belong to one test: the same settings and metadata.
    func sameTest(as other: PermanovaRecipe) -> Bool {
        attributes.map(\.1) == other.attributes.map(\.1) && metadata.ids == other.metadata.ids
            && metadata.columnNames == other.metadata.columnNames
            && metadata.columnNames.allSatisfy { metadata[$0]?.cells == other.metadata[$0]?.cells && metadata[$0]?.kind == other.metadata[$0]?.kind }
    }

    /// The recipe from a share file's layout.
    init(_ layout: DistanceFileLayout, source: String) throws {
        func text(_ key: String) throws -> String {
            guard let value = layout.strings[key] else { throw InputError(file: source, problem: "the share has no '\(key)' attribute (the file is damaged)") }
            return value
        }
        let columns = layout.tableColumns, width = columns.count
        guard width >= 1, layout.tableKinds.count == width, layout.tableCells.count % width == 0,
              let permutations = Int(try text("permutations")), let seed = UInt64(try text("seed")) else {
            throw InputError(file: source, problem: "the share's test settings or metadata are damaged")
        }
        let rows = layout.tableCells.count / width
        let cells = (0..<width).map { c in (0..<rows).map { layout.tableCells[$0 * width + c] } }
        let table = DataTable(source: source, idColumnName: columns[0], ids: cells[0], columns: (1..<width).map { c in
            DataTable.Column(name: columns[c], cells: cells[c], declaredKind: layout.tableKinds[c] == "numeric" ? .numeric : .categorical)
        })
        let strata = try text("strata")
        self.init(formula: try text("formula"), split: try text("split"), permutations: permutations, seed: seed,
                  strata: strata.isEmpty ? nil : strata, references: try text("references"), metadata: table)
    }
}

extension DistanceHDF5 {
    /// The format string of a PERMANOVA share file.
    static let sharesFormat = "Moodbiome PERMANOVA shares"

    /// Writes a PERMANOVA share: the distance stripe's identity, the test's
    /// recipe, and `rows × width` sums (float64, row after row).
    public static func writeShares(ids: [String], pairs: PairRows, identity: StripeIdentity, recipe: PermanovaRecipe,
                                   shares: [Double], width: Int, to path: String) throws {
        precondition(shares.count == pairs.rows.count * width)
        try writeFile(path) { file in
            try check(mb_h5_write_fixed_string(file, "format", sharesFormat), "format", path)
            try writeIdentity(file, identity, pairs: pairs, path: path)
            for (key, value) in recipe.attributes {
                try check(mb_h5_set_attribute_string(file, "/", key, value), "the attributes", path)
            }
            try BIOM2.writeStrings(file, "order", ids, columns: 0, path: path)
            let table = recipe.metadata
            let names = [table.idColumnName] + table.columnNames
            let kinds = [""] + table.columnNames.map { table[$0]?.kind == .numeric ? "numeric" : "categorical" }
            var cells = [String]()
            for r in 0..<table.rowCount { cells.append(table.ids[r]); for c in table.columnNames { cells.append(table[c]?.cells[r] ?? "") } }
            try BIOM2.writeStrings(file, "metadata-columns", names, columns: 0, path: path)
            try BIOM2.writeStrings(file, "metadata-kinds", kinds, columns: 0, path: path)
            try BIOM2.writeStrings(file, "metadata", cells, columns: names.count, path: path)
            try writeRows(file, "shares", dims: [Int64(pairs.rows.count), Int64(width)], precision: .float64, path: path,
                          rows: pairs.rows.count) { range in Array(shares[(range.lowerBound * width)..<(range.upperBound * width)]) }
        }
    }

    /// A stripe's identity as attributes of the root group.
    static func writeIdentity(_ file: mb_hid, _ identity: StripeIdentity, pairs: PairRows, path: String) throws {
        func attribute(_ name: String, _ value: String) throws {
            try check(mb_h5_set_attribute_string(file, "/", name, value), "the attributes", path)
        }
        func integers(_ name: String, _ values: [Int]) throws {
            try check(mb_h5_set_attribute_int64s(file, "/", name, values.map(Int64.init), values.count == 1 ? 0 : Int32(values.count)), "the attributes", path)
        }
        try attribute("metric", identity.metric)
        try attribute("inputs", identity.inputs)
        try attribute("moodbiome-version", identity.version)
        try attribute("precision", identity.precision.rawValue)
        try integers("stripe", [identity.stripe])
        try integers("stripes", [identity.stripes])
        try integers("rows", [pairs.rows.lowerBound, pairs.rows.upperBound])
    }
}
