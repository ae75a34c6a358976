import FoundationEssentials
import MoodbiomeIO
import MoodbiomeNumerics

/// How the samples of an ordination figure are coloured by a metadata
/// column, and the group ellipses drawn around them — computed here, drawn
/// by the report layer.
///
/// A text column, or a numeric one with at most five distinct values (a
/// 0/1 medication flag, a severity band coded 0–4), colours by group; any
/// other numeric column by a continuous scale. Samples without a value are
/// drawn in grey.
public struct OrdinationColouring: Sendable {
    public enum Scheme: Sendable {
        /// `group[i]`: the index into `levels`, nil when missing.
        case groups(levels: [String], group: [Int?])
        /// `values[i]`, NaN when missing.
        case numeric(values: [Double])
    }

    /// A group's 95% data ellipse on the first two axes: the normal-theory
    /// ellipse `x̄ + √χ²₂(0.95) · L·(cos t, sin t)`, L the Cholesky factor of
    /// the group's covariance (n − 1), as vegan's `ordiellipse(kind = "sd",
    /// conf = 0.95)`. Groups of fewer than ``minimumForEllipse`` samples
    /// have none (listed in ``withoutEllipse``, and the caption says so): a
    /// covariance from a handful of points draws an ellipse of no meaning.
    public struct Ellipse: Sendable {
        public let level: String
        public let points: [(Double, Double)]
    }

    public let column: String
    public let scheme: Scheme
    public let ellipses: [Ellipse]
    /// Groups too small for an ellipse (when ellipses were asked for), with their sizes.
    public let withoutEllipse: [(level: String, count: Int)]

    /// The fewest samples a group's ellipse is estimated from.
    public static let minimumForEllipse = 10

    /// The largest number of distinct numbers a numeric column may hold
    /// and still colour by group.
    public static let maximumNumericGroups = 5

    public init(column name: String, metadata: DataTable, ordination: PrincipalCoordinates, ellipses wanted: Bool) throws {
        guard let column = metadata[name] else {
            throw DataError(.missingColumn(name, purpose: .figureGroups, available: metadata.columnNames),
                            at: SourceLocation(file: metadata.source, columnName: name))
        }
        let position = Dictionary(metadata.ids.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        let rows = ordination.ids.map { position[$0] }
        let present = rows.compactMap { $0 }.filter { !column.isMissing($0) }
        let distinctNumbers = Set(present.map { column.numbers[$0] })
        let grouped = column.kind == .categorical || distinctNumbers.count <= Self.maximumNumericGroups
        self.column = name
        if grouped {
            // Severity bands in their scale's order, as Table 1 and the box plots.
            let levels = CohortSummary.order(Array(Set(present.map { column.cells[$0] })))
            let index = Dictionary(uniqueKeysWithValues: levels.enumerated().map { ($1, $0) })
            let group: [Int?] = rows.map { r in r.flatMap { column.isMissing($0) ? nil : index[column.cells[$0]] } }
            self.scheme = .groups(levels: levels, group: group)
            var out = [Ellipse]()
            var small = [(level: String, count: Int)]()
            if wanted && ordination.coordinates.columns >= 2 {
                for (l, level) in levels.enumerated() {
                    let members = group.indices.filter { group[$0] == l }
                    if members.count < Self.minimumForEllipse { small.append((level, members.count)); continue }
                    if let points = Self.ellipse(members.map { ordination.coordinates[$0, 0] }, members.map { ordination.coordinates[$0, 1] }) {
                        out.append(Ellipse(level: level, points: points))
                    }
                }
            }
            self.ellipses = out
            self.withoutEllipse = small
        } else {
            self.scheme = .numeric(values: rows.map { r in r.map { column.isMissing($0) ? .nan : column.numbers[$0] } ?? .nan })
            self.ellipses = []
            self.withoutEllipse = []
        }
    }

    /// The same colouring with the levels in `order` first (those present;
    /// `--levels`), the others after them as they were, so a level has the
    /// colour it has in the run's other figures.
    public func ordered(first order: [String]) -> OrdinationColouring {
        guard case .groups(let levels, let group) = scheme else { return self }
        let present = Set(levels)
        var chosen = [String](), seen = Set<String>()
        for level in order where present.contains(level) && seen.insert(level).inserted { chosen.append(level) }
        let reordered = chosen + levels.filter { !seen.contains($0) }
        let index = Dictionary(uniqueKeysWithValues: reordered.enumerated().map { ($1, $0) })
        let rank = { (level: String) in index[level] ?? reordered.count }
        return OrdinationColouring(column: column, scheme: .groups(levels: reordered, group: group.map { $0.map { index[levels[$0]]! } }),
                                   ellipses: ellipses.sorted { rank($0.level) < rank($1.level) },
                                   withoutEllipse: withoutEllipse.sorted { rank($0.level) < rank($1.level) })
    }

    private init(column: String, scheme: Scheme, ellipses: [Ellipse], withoutEllipse: [(level: String, count: Int)]) {
        self.column = column
        self.scheme = scheme
        self.ellipses = ellipses
        self.withoutEllipse = withoutEllipse
    }

    /// χ²₂ quantile at 0.95: −2 ln 0.05.
    static let radius = (-2 * log(0.05)).squareRoot()

    static func ellipse(_ x: [Double], _ y: [Double]) -> [(Double, Double)]? {
        let n = Double(x.count)
        guard x.count >= 3 else { return nil }
        let mx = x.reduce(0, +) / n, my = y.reduce(0, +) / n
        var sxx = 0.0, syy = 0.0, sxy = 0.0
        for (a, b) in zip(x, y) { sxx += (a - mx) * (a - mx); syy += (b - my) * (b - my); sxy += (a - mx) * (b - my) }
        sxx /= n - 1; syy /= n - 1; sxy /= n - 1
        // Cholesky of [[sxx, sxy], [sxy, syy]].
        guard sxx > 0 else { return nil }
        let l11 = sxx.squareRoot(), l21 = sxy / l11
        let rest = syy - l21 * l21
        guard rest > 0 else { return nil }
        let l22 = rest.squareRoot()
        return (0..<72).map { k in
            let t = Double(k) / 72 * 2 * Double.pi
            let u = cos(t) * radius, v = sin(t) * radius
            return (mx + l11 * u, my + l21 * u + l22 * v)
        }
    }
}
