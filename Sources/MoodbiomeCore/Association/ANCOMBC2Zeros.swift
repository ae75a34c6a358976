import FoundationEssentials
import MoodbiomeIO
import MoodbiomeNumerics

/// ANCOM-BC2 with its zeros as missing values (pseudo-count 0, the method's
/// default), as scikit-bio 0.7.4's `ancombc2` does it (its `_estimate_params_sparse`
/// route, matching the R package's `.iter_mle`):
///
/// - `y = ln(count)` where the count is above 0, centred by the mean of the
///   observed values; zeros are missing (the observed values are held
///   feature by feature, ``FeatureColumns``: nothing of size samples × features);
/// - each feature's least squares on its observed samples only,
///   `β = (XᵀWX)⁺XᵀWy` (the pseudo-inverse from a Jacobi eigendecomposition,
///   eigenvalues below 1e-10 of the largest dropped: the masked design's
///   exact rank deficiencies);
/// - a feature whose observed samples leave a categorical variable with
///   fewer than two levels cannot be fitted (R's `lm` fails): it is reported
///   with no estimate, p = 1; one whose observed samples miss the variable's
///   reference level is refitted against its first present level, as R
///   does, and the coefficients written back in the global slots;
/// - with the sample effects θ (each sample's mean residual over the
///   fittable features), β and θ alternate until they move less than 1e-2
///   (at most 20 rounds, as R);
/// - variances `Σᵢ eᵢ²Hᵢⱼ²` with the global `H = X(XᵀX)⁻¹`, each missing
///   value adding `0.1·(Σₖ(XᵀX)⁻¹ⱼₖ)²` (R replaces the missing products by
///   0.1), an unfittable feature `0.1·n` of the same;
/// - the E–M over the fittable features, the sampling fractions as the mean
///   over the observed values of `y − x(β − δ)` (unfittable features
///   contributing `y`), the refit without θ, and t tests on each feature's
///   observed samples less its design rank.
extension ANCOMBC {
    /// Where each feature's fit stands against R's `lm`.
    struct FitInfo {
        /// Per feature: whether `lm` could fit it.
        var valid: [Bool]
        /// Treatment-coded categorical main effects that can be re-referenced:
        /// their dummy columns (in level order, the reference left out).
        var rebased: [[Int]]
        /// The intercept's column.
        var intercept: Int?
    }

    /// The categorical main effects of `design` coded by treatment dummies:
    /// per factor, its dummy columns, and whether it enters an interaction.
    static func categoricalMainEffects(_ design: DesignMatrix, data: DataTable) -> [(columns: [Int], inInteraction: Bool)] {
        var out = [(columns: [Int], inInteraction: Bool)]()
        for (t, term) in design.formula.terms.enumerated() where term.factors.count == 1 {
            let factor = term.factors[0]
            let categorical = factor.isForcedCategorical || (factor.plainColumn.map { data[$0]?.kind == .categorical } ?? false)
            guard categorical else { continue }
            let columns = design.columnTerms.indices.filter { design.columnTerms[$0] == t }
            guard !columns.isEmpty else { continue }
            // Treatment coding: 0/1 dummies, at most one 1 per sample.
            let x = design.x
            let treatment = (0..<x.rows).allSatisfy { i in
                var ones = 0
                for j in columns { let v = x[i, j]; if v == 1 { ones += 1 } else if v != 0 { return false } }
                return ones <= 1
            }
            guard treatment else { continue }
            let inInteraction = design.formula.terms.contains { $0.factors.count > 1 && $0.factors.contains(factor) }
            out.append((columns, inInteraction))
        }
        return out
    }

    /// R's `lm` on each feature's observed samples: which fail, and which
    /// categorical effects are re-referenced (scikit-bio's `_r_fit_info`).
    static func fitInfo(_ design: DesignMatrix, data: DataTable, observed: FeatureColumns) -> FitInfo {
        let x = design.x, n = x.rows, m = observed.features
        var valid = (0..<m).map { !observed.range($0).isEmpty }
        let intercept = design.columnNames.firstIndex(of: "Intercept").flatMap { design.columnTerms[$0] == nil ? $0 : nil }
        var rebased = [[Int]]()
        for (columns, inInteraction) in categoricalMainEffects(design, data: data) {
            // Each sample's level: 0 the reference, k the k-th dummy.
            let level = (0..<n).map { i in (columns.firstIndex { x[i, $0] == 1 }).map { $0 + 1 } ?? 0 }
            for c in 0..<m where valid[c] {
                var present = Set<Int>()
                for k in observed.range(c) { present.insert(level[Int(observed.rows[k])]) }
                if present.count < 2 { valid[c] = false }
            }
            if intercept != nil && !inInteraction { rebased.append(columns) }
        }
        return FitInfo(valid: valid, rebased: rebased, intercept: intercept)
    }

    /// Re-expresses feature `c`'s coefficients against its first present
    /// level when its observed samples miss the reference (scikit-bio's
    /// `_r_rebase_categorical`): the same fitted values, R's coefficients.
    static func rebase(_ beta: inout [Double], feature c: Int, info: FitInfo, x: Matrix, observed: FeatureColumns) {
        guard let intercept = info.intercept, info.valid[c] else { return }
        let p = x.columns
        for columns in info.rebased {
            var referencePresent = false
            var present = [Bool](repeating: false, count: columns.count)
            for r in observed.range(c) {
                let i = Int(observed.rows[r])
                if let k = columns.firstIndex(where: { x[i, $0] == 1 }) { present[k] = true } else { referencePresent = true }
            }
            guard !referencePresent, let local = present.firstIndex(of: true) else { continue }
            let shift = beta[columns[local] + c * p]
            beta[intercept + c * p] += shift
            for (k, j) in columns.enumerated() { beta[j + c * p] = present[k] ? beta[j + c * p] - shift : 0 }
            beta[columns[local] + c * p] = 0
        }
    }

    /// Per feature, the pseudo-inverse of its masked Gram matrix `XᵀWX`
    /// (p × p, column-major, features after one another) and its rank.
    static func maskedGramInverses(_ x: Matrix, observed: FeatureColumns) -> (inverses: [Double], ranks: [Int]) {
        let p = x.columns, m = observed.features
        let xRows = RowMajorSums(x).storage
        let parts = parallelChunkMap(count: m, minimumPerChunk: 16) { range -> ([Double], [Int]) in
            var inverses = [Double](), ranks = [Int]()
            var gram = [Double](repeating: 0, count: p * p)
            for c in range {
                for k in 0..<(p * p) { gram[k] = 0 }
                xRows.withUnsafeBufferPointer { xp in
                    gram.withUnsafeMutableBufferPointer { g in
                        observed.withEntries(c) { rows, _ in
                            for i in rows {
                                let row = Int(i) * p
                                for a in 0..<p { let xa = xp[row + a]; for b in a..<p { g[a + b * p] += xa * xp[row + b] } }
                            }
                        }
                    }
                }
                for a in 0..<p { for b in a..<p { gram[b + a * p] = gram[a + b * p] } }
                let (values, vectors) = jacobiEigen(gram, p)
                let largest = values.max() ?? 0
                var inverse = [Double](repeating: 0, count: p * p), rank = 0
                for k in 0..<p where values[k] > 1e-10 * largest && values[k] > 0 {
                    rank += 1
                    for a in 0..<p { for b in 0..<p { inverse[a + b * p] += vectors[a + k * p] * vectors[b + k * p] / values[k] } }
                }
                inverses += inverse
                ranks.append(rank)
            }
            return (inverses, ranks)
        }
        return (parts.flatMap(\.0), parts.flatMap(\.1))
    }

    /// Eigenvalues and eigenvectors (columns) of a small symmetric matrix
    /// by cyclic Jacobi rotations in plain loops: the same bits on every CPU.
    static func jacobiEigen(_ matrix: [Double], _ p: Int) -> (values: [Double], vectors: [Double]) {
        var a = matrix, v = [Double](repeating: 0, count: p * p)
        for k in 0..<p { v[k + k * p] = 1 }
        for _ in 0..<100 {
            var off = 0.0, total = 0.0
            for i in 0..<p { for j in 0..<p { total += a[i + j * p] * a[i + j * p]; if i != j { off += a[i + j * p] * a[i + j * p] } } }
            if off <= 1e-30 * total || off == 0 { break }
            for r in 0..<p {
                for s in (r + 1)..<Swift.max(p, r + 1) where a[r + s * p] != 0 {
                    let theta = (a[s + s * p] - a[r + r * p]) / (2 * a[r + s * p])
                    let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let cosine = 1 / (t * t + 1).squareRoot(), sine = t * cosine
                    for k in 0..<p {
                        let akr = a[k + r * p], aks = a[k + s * p]
                        a[k + r * p] = cosine * akr - sine * aks
                        a[k + s * p] = sine * akr + cosine * aks
                    }
                    for k in 0..<p {
                        let ark = a[r + k * p], ask = a[s + k * p]
                        a[r + k * p] = cosine * ark - sine * ask
                        a[s + k * p] = sine * ark + cosine * ask
                    }
                    for k in 0..<p {
                        let vkr = v[k + r * p], vks = v[k + s * p]
                        v[k + r * p] = cosine * vkr - sine * vks
                        v[k + s * p] = sine * vkr + cosine * vks
                    }
                }
            }
        }
        return ((0..<p).map { a[$0 + $0 * p] }, v)
    }

    /// The coefficients (p per feature, features after one another) of each
    /// feature's observed values less `theta`, by its masked pseudo-inverse.
    static func maskedCoefficients(_ x: Matrix, _ y: FeatureColumns, theta: [Double], inverses: [Double]) -> [Double] {
        let p = x.columns, m = y.features
        let xRows = RowMajorSums(x).storage
        return parallelChunkMap(count: m, minimumPerChunk: 16) { range -> [Double] in
            var out = [Double](), rhs = [Double](repeating: 0, count: p)
            for c in range {
                for a in 0..<p { rhs[a] = 0 }
                xRows.withUnsafeBufferPointer { xp in theta.withUnsafeBufferPointer { theta in
                    rhs.withUnsafeMutableBufferPointer { rhs in
                        y.withEntries(c) { rows, values in
                            for (i, v) in zip(rows, values) {
                                let r = v - theta[Int(i)], row = Int(i) * p
                                for a in 0..<p { rhs[a] += xp[row + a] * r }
                            }
                        }
                    }
                }}
                for a in 0..<p {
                    var sum = 0.0
                    for b in 0..<p { sum += inverses[c * p * p + a + b * p] * rhs[b] }
                    out.append(sum)
                }
            }
            return out
        }.flatMap { $0 }
    }

    /// One masked fit: coefficients (rebased as R), the sample effects θ
    /// (alternated with β when `biased`), variances (features × p) with
    /// R's 0.1 for every missing product, and each feature's design rank.
    static func maskedFit(_ x: Matrix, _ y: FeatureColumns, gram: (inverses: [Double], ranks: [Int]),
                          info: FitInfo, biased: Bool, names: [String]) throws -> (beta: Matrix, variance: Matrix, ranks: [Int]) {
        let n = x.rows, p = x.columns, m = y.features
        let (inverses, ranks) = gram
        var theta = [Double](repeating: 0, count: n)
        var beta = maskedCoefficients(x, y, theta: theta, inverses: inverses)
        if biased { maskedSampleEffects(x, y, info: info, inverses: inverses, beta: &beta, theta: &theta) }
        for c in 0..<m { rebase(&beta, feature: c, info: info, x: x, observed: y) }
        // The global H = X(XᵀX)⁻¹ and the row sums of (XᵀX)⁻¹.
        var gram = Matrix(rows: p, columns: p)
        for a in 0..<p { for b in 0..<p { var sum = 0.0; for i in 0..<n { sum += x[i, a] * x[i, b] }; gram[a, b] = sum } }
        guard let gramInverse = smallInverse(gram) else { throw AssociationError.aliasedDesign(columns: names) }
        var h2 = [Double](repeating: 0, count: n * p)
        for j in 0..<p { for i in 0..<n { var sum = 0.0; for k in 0..<p { sum += x[i, k] * gramInverse[k, j] }; h2[i + j * n] = sum * sum } }
        let gramSums = (0..<p).map { j in (0..<p).reduce(0.0) { $0 + gramInverse[j, $1] } }
        let offsets = theta, coefficients = beta, xRows = RowMajorSums(x).storage
        var influence = [Double](repeating: 0, count: n * p)
        for i in 0..<n { for j in 0..<p { influence[i * p + j] = h2[i + j * n] } }
        let influenceRows = influence
        // Each variance sums eᵢ²Hᵢⱼ² over the observed samples in order (the
        // missing ones' products are 0 and change no sum).
        let rows = parallelChunkMap(count: m, minimumPerChunk: 16) { range -> [Double] in
            var out = [Double](), sums = [Double](repeating: 0, count: p)
            for c in range {
                let missing = n - y.range(c).count
                for j in 0..<p { sums[j] = 0 }
                xRows.withUnsafeBufferPointer { xp in influenceRows.withUnsafeBufferPointer { h2 in
                    sums.withUnsafeMutableBufferPointer { sums in
                        y.withEntries(c) { rows, values in
                            for (i, v) in zip(rows, values) {
                                let row = Int(i) * p
                                var e = v - offsets[Int(i)]
                                for a in 0..<p { e -= xp[row + a] * coefficients[a + c * p] }
                                let squared = e * e
                                for j in 0..<p { sums[j] += squared * h2[row + j] }
                            }
                        }
                    }
                }}
                for j in 0..<p {
                    let extra = 0.1 * Double(info.valid[c] ? missing : n) * gramSums[j] * gramSums[j]
                    out.append(info.valid[c] ? sums[j] + extra : extra)
                }
            }
            return out
        }.flatMap { $0 }
        var b = Matrix(rows: p, columns: m), v = Matrix(rows: m, columns: p)
        for c in 0..<m { for j in 0..<p { b[j, c] = beta[j + c * p]; v[c, j] = rows[j + c * p] } }
        return (b, v, ranks)
    }

    /// β and the sample effects θ (each sample's mean residual over the
    /// fittable features it was observed in, in feature order) alternated
    /// until they move less than 1e-2, at most 20 rounds (R's `.iter_mle`).
    static func maskedSampleEffects(_ x: Matrix, _ y: FeatureColumns, info: FitInfo, inverses: [Double],
                                    beta: inout [Double], theta: inout [Double]) {
        let n = x.rows, p = x.columns, m = y.features, xRows = RowMajorSums(x).storage
        var observedValid = [Int](repeating: 0, count: n)
        for c in 0..<m where info.valid[c] { for k in y.range(c) { observedValid[Int(y.rows[k])] += 1 } }
        var residuals = [Double](repeating: 0, count: y.values.count)
        var epsilon = 100.0, rounds = 0
        while epsilon > 1e-2 && rounds < 20 {
            let next = maskedCoefficients(x, y, theta: theta, inverses: inverses)
            // Residuals per feature on all cores; θ summed in feature order.
            residuals.withUnsafeMutableBufferPointer { out in
                nonisolated(unsafe) let out = out
                _ = parallelChunkMap(count: m, minimumPerChunk: 16) { range in
                    xRows.withUnsafeBufferPointer { xp in
                        for c in range {
                            for k in y.range(c) {
                                let row = Int(y.rows[k]) * p
                                var fitted = 0.0
                                for a in 0..<p { fitted += xp[row + a] * next[a + c * p] }
                                out[k] = y.values[k] - fitted
                            }
                        }
                    }
                }
            }
            var nextTheta = [Double](repeating: 0, count: n)
            for c in 0..<m where info.valid[c] { for k in y.range(c) { nextTheta[Int(y.rows[k])] += residuals[k] } }
            for i in 0..<n { nextTheta[i] = observedValid[i] == 0 ? .nan : nextTheta[i] / Double(observedValid[i]) }
            var change = 0.0
            for c in 0..<m where info.valid[c] { for a in 0..<p { let d = next[a + c * p] - beta[a + c * p]; change += d * d } }
            for i in 0..<n where !nextTheta[i].isNaN && !theta[i].isNaN { let d = nextTheta[i] - theta[i]; change += d * d }
            epsilon = change.squareRoot()
            beta = next
            theta = nextTheta
            rounds += 1
        }
    }

    /// `ln(count)` of every non-zero (the observed values), centred by the
    /// mean of its feature's observed values; zeros are missing.
    static func observedLogs(_ counts: consuming FeatureColumns) -> FeatureColumns {
        var y = consume counts
        let starts = y.starts
        y.values.withUnsafeMutableBufferPointer { v in
            for c in 0..<(starts.count - 1) {
                let entries = starts[c]..<starts[c + 1]
                var sum = 0.0
                for k in entries { v[k] = log(v[k]); sum += v[k] }
                let mean = sum / Double(Swift.max(entries.count, 1))
                for k in entries { v[k] -= mean }
            }
        }
        return y
    }

    /// The sampling fractions of the masked route: per sample, the mean over
    /// its observed values of `y − [fittable] x(β − δ)`, subtracted from them.
    static func subtractMaskedFractions(_ y: inout FeatureColumns, _ x: Matrix, beta: Matrix, bias: [Double], valid: [Bool]) {
        let n = y.samples, m = y.features, p = x.columns
        var sums = [Double](repeating: 0, count: n), counts = [Int](repeating: 0, count: n)
        let xs = x.storage, bs = beta.storage
        for c in 0..<m {
            let shift = (0..<p).map { bs[$0 + c * p] - bias[$0] }
            for k in y.range(c) {
                let i = Int(y.rows[k])
                var value = y.values[k]
                if valid[c] { for a in 0..<p { value -= xs[i + a * n] * shift[a] } }
                sums[i] += value
                counts[i] += 1
            }
        }
        let fractions = (0..<n).map { counts[$0] == 0 ? 0 : sums[$0] / Double(counts[$0]) }
        for k in 0..<y.values.count { y.values[k] -= fractions[Int(y.rows[k])] }
    }
}
