import Foundation
import Testing
@testable import MoodbiomeCore
@testable import MoodbiomeIO
@testable import MoodbiomeNumerics
@testable import MoodbiomeReport
@testable import MoodbiomeStudy

/// A small in-memory table for formula and design tests.
func table(_ columns: [(String, [String])], source: String = "study.csv") -> DataTable {
    let n = columns[0].1.count
    return DataTable(source: source, idColumnName: "id", ids: (1...n).map { "S\($0)" },
                     columns: columns.map { DataTable.Column(name: $0.0, cells: $0.1) })
}

@Suite struct FormulaTests {
    @Test(arguments: [
        ("y ~ a*b", ["a", "b", "a:b"], true),
        ("y ~ a:b + c", ["c", "a:b"], true),
        ("y ~ x - 1", ["x"], false),
        ("y ~ 0 + x", ["x"], false),
        ("y ~ (a + b):c", ["a:c", "b:c"], true),
        ("y ~ a*b - a:b", ["a", "b"], true),
        ("y ~ a*b*c", ["a", "b", "c", "a:b", "a:c", "b:c", "a:b:c"], true),
        ("log(y) ~ I(x**2) + sqrt(z) + scale(w)", ["I(x ^ 2)", "sqrt(z)", "scale(w)"], true),
        ("y ~ C(sex, ref=\"M\") + C(g, Treatment(reference='b'))", ["C(sex, ref=\"M\")", "C(g, ref=\"b\")"], true),
        ("y ~ `BMI (kg/m2)` + age", ["BMI (kg/m2)", "age"], true),
        ("y ~ 1", [], true),
    ])
    func parsesTerms(_ text: String, _ labels: [String], _ intercept: Bool) throws {
        let f = try Formula(text)
        #expect(f.terms.map(\.label) == labels)
        #expect(f.hasIntercept == intercept)
    }

    @Test(arguments: [
        ("phq9 shannon", "no '~'"),
        ("phq9 ~ ", "predictors are missing"),
        ("~ x", "outcome is missing"),
        ("y ~ foo(x)", "unknown function 'foo'"),
        ("y ~ x +", "expected a column name"),
        ("y ~ (x + z", "expected ')'"),
        ("y ~ x $ z", "unexpected character '$'"),
        ("y ~ 3", "cannot be a term"),
    ])
    func syntaxErrorsSayWhere(_ text: String, _ fragment: String) {
        #expect {
            try Formula(text)
        } throws: { error in
            let text = message(error)
            return text.contains(fragment) && (text.contains("^") || fragment == "no '~'")
        }
    }

    /// lme4's notation expanded as `findbars` expands it.
    @Test(arguments: [
        ("y ~ x + (1 | g)", ["x"], ["(1 | g)"], ["g"]),
        ("y ~ x + (x | g)", ["x"], ["(1 + x | g)"], ["g"]),
        ("y ~ x + (0 + x | g)", ["x"], ["(0 + x | g)"], ["g"]),
        ("y ~ x + (1 + x || g)", ["x"], ["(1 | g)", "(0 + x | g)"], ["g", "g"]),
        ("y ~ x + (1 | site/person)", ["x"], ["(1 | person:site)", "(1 | site)"], ["person:site", "site"]),
        ("y ~ x + (1 | a) + (1 | b)", ["x"], ["(1 | a)", "(1 | b)"], ["a", "b"]),
        ("y ~ x * t + (1 + t | p)", ["x", "t", "x:t"], ["(1 + t | p)"], ["p"]),
    ])
    func parsesRandomTerms(_ text: String, _ fixed: [String], _ random: [String], _ groups: [String]) throws {
        let f = try Formula(text)
        #expect(f.terms.map(\.label) == fixed)
        #expect(f.randomTerms.map(\.text) == random)
        #expect(f.randomTerms.map(\.groupLabel) == groups)
        #expect(f.isMixed)
        #expect(try Formula.randomTerms("(1 | p) + (0 + t | p)").map(\.text) == ["(1 | p)", "(0 + t | p)"])
    }

    @Test(arguments: [
        ("y ~ x:(1 | g)", "a random-effects term (… | group) cannot be part of an interaction"),
        ("y ~ x - (1 | g)", "a random-effects term cannot be removed with '-'"),
        ("y ~ x + (1 | )", "expected the grouping column after '|'"),
        ("y ~ x + ((1 | g) | h)", "random-effects terms cannot be nested inside one another"),
    ])
    func randomTermErrorsSayWhere(_ text: String, _ fragment: String) {
        #expect { try Formula(text) } throws: { message($0).contains(fragment) && message($0).contains("^") }
    }

    @Test func randomTermsOnlyWhereMixedModelsAre() {
        #expect { try Formula(rightHandSide: "~ phq9 + (1 | g)") } throws: { message($0).contains("random-effects terms (… | group) are not available here") }
        #expect { try Formula.randomTerms("age + (1 | g)") } throws: { message($0).contains("expected only random-effects terms") }
    }

    @Test func treatmentCodingAndReferences() throws {
        let data = table([("y", ["1", "2", "3", "4", "5", "7"]), ("sex", ["F", "M", "F", "M", "F", "M"]),
                          ("g", ["b", "a", "c", "a", "b", "c"])])
        let d1 = try DesignMatrix(formula: Formula("y ~ sex + g"), data: data)
        #expect(d1.columnNames == ["Intercept", "sex[T.M]", "g[T.b]", "g[T.c]"])
        let d2 = try DesignMatrix(formula: Formula("y ~ sex + g"), data: data, references: ["sex": "M"])
        #expect(d2.columnNames == ["Intercept", "sex[T.F]", "g[T.b]", "g[T.c]"])
        let d3 = try DesignMatrix(formula: Formula("y ~ C(g, ref=\"c\") - 1"), data: data)
        #expect(d3.columnNames == ["C(g, ref=\"c\")[c]", "C(g, ref=\"c\")[a]", "C(g, ref=\"c\")[b]"])
        let d4 = try DesignMatrix(formula: Formula("y ~ sex:g"), data: data)
        // R's rule: neither margin is in the model, so both factors get
        // indicators and one product column is aliased with the intercept.
        #expect(d4.columnNames.count == 1 + 2 * 3, "\(d4.columnNames)")
        #expect(try LinearRegression(design: d4).coefficients.filter(\.isAliased).count >= 1)
        // Numeric levels sort numerically under C().
        let d5 = try DesignMatrix(formula: Formula("y ~ C(k)"), data: table([("y", ["1", "2", "3", "5"]), ("k", ["10", "9", "10", "2"])]))
        #expect(d5.columnNames == ["Intercept", "C(k)[T.9]", "C(k)[T.10]"])
    }

    @Test func listwiseDeletionIsCountedPerVariable() throws {
        let data = table([("y", ["1", "NA", "3", "4", "", "6", "7"]), ("x", ["1", "2", "NULL", "4", "nan", "3", "9"])])
        let d = try DesignMatrix(formula: Formula("y ~ x"), data: data)
        #expect(d.ids == ["S1", "S4", "S6", "S7"])
        #expect(d.droppedIDs == ["S2", "S3", "S5"])
        #expect(d.exclusions == [.init(variable: "y", rows: 2), .init(variable: "x", rows: 2)])
    }

    @Test(arguments: [
        ("y ~ shanon", "column 'shanon' that the table does not have", "Did you mean 'shannon'?"),
        ("y ~ age", "'forty' in column 'age' (ID 'S3') is not a number, but the column's other values are numbers", "C(age)"),
        ("y ~ shannon + site", "constant predictor: 'site' has one level ('A')", "Drop it"),
        ("y ~ shannon + batch", "constant predictor: batch is 2.0", "Drop it"),
        ("y ~ log(shannon)", "log(shannon) needs positive values, found -1.0 (ID 'S2')", "transformation"),
        ("y ~ C(sex, ref=\"X\")", "reference level 'X' does not occur", "Levels are: F, M"),
        ("sex ~ shannon", "the outcome 'sex' holds text ('F' for ID 'S1'); a linear model needs a numeric outcome", "--family binomial"),
    ])
    func dataErrorsNameColumnAndRow(_ text: String, _ problem: String, _ fix: String?) throws {
        let data = table([("y", ["1", "2", "3", "4"]), ("shannon", ["1", "-1", "2", "3"]), ("age", ["30", "41", "forty", "50"]),
                          ("site", ["A", "A", "A", "A"]), ("batch", ["2", "2", "2", "2"]), ("sex", ["F", "M", "F", "M"])])
        #expect {
            try DesignMatrix(formula: Formula(text), data: data)
        } throws: { error in
            let text = message(error)
            return text.contains(problem) && (fix.map { text.contains($0) } ?? true) && text.contains("study.csv")
        }
    }

    @Test func binaryOutcomeCoding() throws {
        let data = table([("status", ["yes", "no", "yes", "no", "no"]), ("x", ["1", "2", "3", "4", "5"]),
                          ("one", ["no", "no", "no", "no", "no"]), ("score", ["0", "1", "2", "1", "0"])])
        let d = try DesignMatrix(formula: Formula("status ~ x"), data: data, binaryResponse: true)
        #expect(d.response == [1, 0, 1, 0, 0])
        #expect(d.responseCoding.map { Words.note(.outcomeCoding($0)) } == "outcome coding: status = yes coded 1, no coded 0")
        #expect { try DesignMatrix(formula: Formula("one ~ x"), data: data, binaryResponse: true) } throws: {
            message($0) == "study.csv: the outcome 'one' has one level ('no') among the 5 rows used (column 'one'). Give a 0/1 or two-valued outcome (or use --outcome-cutoff to dichotomise a score)"
        }
        #expect {
            try DesignMatrix(formula: Formula("score ~ x"), data: data, binaryResponse: true)
        } throws: { message($0).contains("is 2.0 for ID 'S3'; it must be 0 or 1") }
    }
}

@Suite struct ModelBehaviourTests {
    /// A column that is the sum of two others is reported aliased (nil),
    /// and the remaining estimates are those of the model without it.
    @Test func aliasedColumnIsReportedNotDropped() throws {
        var rng = Xoshiro256StarStar(seed: 11)
        let n = 30
        let a = (0..<n).map { _ in rng.nextUniform() }, b = (0..<n).map { _ in rng.nextUniform() }
        let y = (0..<n).map { 1 + 2 * a[$0] - b[$0] + 0.1 * rng.nextUniform() }
        let data = table([("y", y.map { String($0) }), ("a", a.map { String($0) }), ("b", b.map { String($0) }),
                          ("c", (0..<n).map { "\(a[$0] + b[$0])" })])
        let full = try LinearRegression(design: DesignMatrix(formula: Formula("y ~ a + b + c"), data: data))
        let reduced = try LinearRegression(design: DesignMatrix(formula: Formula("y ~ a + b"), data: data))
        #expect(full.rank == 3)
        #expect(full.coefficients.map(\.isAliased) == [false, false, false, true])
        for (f, r) in zip(full.coefficients.prefix(3), reduced.coefficients) {
            #expect(isClose(f.estimate!, r.estimate!, relative: 1e-10))
            #expect(isClose(f.standardError!, r.standardError!, relative: 1e-10))
        }
        #expect(isClose(full.rSquared, reduced.rSquared, relative: 1e-12))
        #expect(full.dfResidual == reduced.dfResidual)
    }

    @Test func completeSeparationIsDetected() throws {
        let x = ["1", "2", "3", "4", "5", "6", "7", "8"], z = ["3", "1", "4", "1", "5", "9", "2", "6"]
        let data = table([("y", ["0", "0", "0", "0", "1", "1", "1", "1"]), ("x", x), ("z", z)])
        let fit = try LogisticRegression(design: DesignMatrix(formula: Formula("y ~ x + z"), data: data, binaryResponse: true))
        let separation = try #require(fit.separation)
        #expect(separation.complete)
        #expect(separation.coefficients.contains("x"))
    }

    @Test func quasiCompleteSeparationIsDetected() throws {
        // y = 1 whenever g = b; g = a has both outcomes.
        let data = table([("y", ["0", "1", "0", "1", "1", "1", "1", "0", "1", "1"]),
                          ("g", ["a", "a", "a", "a", "b", "b", "b", "a", "b", "b"]),
                          ("x", ["1.2", "0.3", "2.2", "1.9", "0.5", "1.1", "0.7", "2.5", "1.4", "0.2"])])
        let fit = try LogisticRegression(design: DesignMatrix(formula: Formula("y ~ g + x"), data: data, binaryResponse: true))
        let separation = try #require(fit.separation)
        #expect(!separation.complete)
        #expect(separation.coefficients == ["g[T.b]"])
    }

    @Test func wellBehavedLogisticHasNoSeparation() throws {
        let data = table([("y", ["0", "1", "0", "1", "1", "0", "1", "0"]), ("x", ["1", "2", "3", "4", "5", "6", "7", "8"])])
        let fit = try LogisticRegression(design: DesignMatrix(formula: Formula("y ~ x"), data: data, binaryResponse: true))
        #expect(fit.separation == nil && fit.converged)
    }
}
