/// Stripes of one distance matrix, checked to merge into it.
///
/// The parts must all come from the same table, metric, settings, Moodbiome
/// version and precision, and cut the same way (N stripes of the same
/// samples), and together hold every stripe exactly once: then the merged
/// matrix is bit for bit the one a single process computes.
public struct StripeSet: Sendable {
    /// The stripes in order, 1 … N.
    public let stripes: [DistanceStripe]

    public var ids: [String] { stripes[0].ids }
    public var identity: StripeIdentity { stripes[0].identity }

    public init(_ parts: [DistanceStripe]) throws {
        precondition(!parts.isEmpty, "stripes to merge")
        let first = parts[0]
        let reference = first.identity
        for part in parts.dropFirst() {
            let other = part.identity
            func differ(_ what: String, _ a: String, _ b: String) -> InputError {
                InputError(file: part.path, problem: "this stripe's \(what) is \(b), but \(first.path)'s is \(a): they are not parts of one matrix",
                           fix: "Merge the stripes of one run of moodbiome beta \(Parameter.stripes.mention) K/N (same table, metric, options, precision and N)")
            }
            if other.inputs != reference.inputs { throw differ("table", "'\(reference.inputs)'", "'\(other.inputs)'") }
            if other.metric != reference.metric { throw differ("metric", "'\(reference.metric)'", "'\(other.metric)'") }
            if other.version != reference.version { throw differ("Moodbiome version", reference.version, other.version) }
            if other.precision != reference.precision { throw differ("precision", reference.precision.rawValue, other.precision.rawValue) }
            if other.stripes != reference.stripes { throw differ("number of stripes", "\(reference.stripes)", "\(other.stripes)") }
            if part.ids != first.ids { throw differ("list of samples", "\(first.ids.count) samples", "\(part.ids.count) samples, not the same") }
            switch (first.recipe, part.recipe) {
            case (nil, nil): break
            case (.some(let a), .some(let b)):
                if !a.sameTest(as: b) || part.shareWidth != first.shareWidth {
                    throw InputError(file: part.path, problem: "this PERMANOVA share is of another test than \(first.path)'s (formula, permutations, seed, strata or metadata differ)",
                                     fix: "Merge the shares of one test: the same \(Parameter("formula").mention), \(Parameter("permutations").mention), \(Parameter("seed").mention), \(Parameter("strata").mention) and metadata for every stripe")
                }
            default:
                throw InputError(file: part.path, problem: "\(part.recipe == nil ? "this is a distance stripe and \(first.path) a PERMANOVA share" : "this is a PERMANOVA share and \(first.path) a distance stripe")",
                                 fix: "Merge distance stripes into a matrix, or PERMANOVA shares into a test, one kind at a time")
            }
        }
        var byStripe = [Int: DistanceStripe]()
        for part in parts {
            if let earlier = byStripe[part.identity.stripe] {
                throw InputError(file: part.path, problem: "stripe \(part.identity.stripe) of \(reference.stripes) is given twice: here and in \(earlier.path)",
                                 fix: "Give each stripe once")
            }
            byStripe[part.identity.stripe] = part
        }
        let missing = (1...reference.stripes).filter { byStripe[$0] == nil }
        guard missing.isEmpty else {
            throw InputError(file: first.path, problem: "stripe\(missing.count == 1 ? "" : "s") \(missing.map(String.init).joined(separator: ", ")) of \(reference.stripes) \(missing.count == 1 ? "is" : "are") missing",
                             fix: "Compute \(missing.count == 1 ? "it" : "them") (moodbiome beta … \(Parameter.stripes.mention) K/\(reference.stripes) \(Parameter.partial.mention) FILE) and give every stripe")
        }
        let plan: StripePlan
        do { plan = try StripePlan(n: first.ids.count, stripes: reference.stripes) } catch {
            throw InputError(file: first.path, problem: "\(reference.stripes) stripes cannot cut \(first.ids.count) samples (the file is damaged)")
        }
        let ordered = (1...reference.stripes).map { byStripe[$0]! }
        for part in ordered where part.pairs != plan.stripe(part.identity.stripe) {
            throw InputError(file: part.path, problem: "stripe \(part.identity.stripe) of \(reference.stripes) holds rows \(part.pairs.rows.lowerBound + 1)–\(part.pairs.rows.upperBound), but that stripe is rows \(plan.stripe(part.identity.stripe).rows.lowerBound + 1)–\(plan.stripe(part.identity.stripe).rows.upperBound)",
                             fix: "The file is damaged or from another program; compute the stripe again")
        }
        self.stripes = ordered
    }

    /// The whole matrix's condensed distances, stripe after stripe, as `T`
    /// (the stored precision, so that nothing is rounded twice).
    public func condensed<T: BinaryFloatingPoint>(as: T.Type) throws -> [T] {
        var out = [T]()
        out.reserveCapacity(PairRows.pairCount(ids.count))
        for stripe in stripes { out.append(contentsOf: try stripe.distances().map { T($0) }) }
        return out
    }
}
