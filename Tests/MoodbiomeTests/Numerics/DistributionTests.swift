import Foundation
import Testing
@testable import MoodbiomeCore
@testable import MoodbiomeIO
@testable import MoodbiomeNumerics
@testable import MoodbiomeReport
@testable import MoodbiomeStudy

/// One distribution's reference values from SciPy (see
/// Fixtures/generate_distributions_scipy.py for the tool, version and grid).
struct DistributionCase: Sendable, CustomTestStringConvertible {
    let name: String
    let df1: Double
    let df2: Double
    let rows: [(function: String, argument: Double, value: Double)]

    var testDescription: String {
        name == "normal" ? "normal" : name == "f" ? "F(\(df1), \(df2))" : "\(name)(\(df1))"
    }

    var distribution: any ContinuousDistribution {
        switch name {
        case "normal": Normal()
        case "t": StudentT(degreesOfFreedom: df1)
        case "chi2": ChiSquared(degreesOfFreedom: df1)
        case "f": FDistribution(numeratorDegreesOfFreedom: df1, denominatorDegreesOfFreedom: df2)
        default: fatalError("unknown distribution \(name)")
        }
    }

    static let all: [DistributionCase] = {
        let text = try! String(contentsOfFile: fixturePath("distributions-scipy.csv"), encoding: .utf8)
        var order = [String]()
        var groups = [String: DistributionCase]()
        for line in text.split(separator: "\n") where !line.hasPrefix("#") && !line.hasPrefix("distribution") {
            let f = line.split(separator: ",").map(String.init)
            let key = f[0] + f[1] + "/" + f[2]
            if groups[key] == nil {
                order.append(key)
                groups[key] = DistributionCase(name: f[0], df1: Double(f[1])!, df2: Double(f[2])!, rows: [])
            }
            let old = groups[key]!
            groups[key] = DistributionCase(name: old.name, df1: old.df1, df2: old.df2,
                                           rows: old.rows + [(f[3], Double(f[4])!, Double(f[5])!)])
        }
        return order.map { groups[$0]! }
    }()
}

@Suite struct DistributionTests {
    /// CDF, survival function and both quantiles agree with SciPy to 1e-12
    /// relative over the whole grid, far tails (down to 1e-300) included.
    @Test(arguments: DistributionCase.all)
    func agreesWithSciPy(_ reference: DistributionCase) {
        let d = reference.distribution
        for (function, argument, expected) in reference.rows {
            let actual: Double
            switch function {
            case "cdf": actual = d.cdf(argument)
            case "sf": actual = d.sf(argument)
            case "ppf": actual = d.quantile(argument)
            case "isf": actual = d.isf(argument)
            default: fatalError("unknown function \(function)")
            }
            let scale = Swift.max(abs(expected), function == "ppf" || function == "isf" ? 1e-300 : 0)
            let error = expected == 0 ? abs(actual) : abs(actual - expected) / scale
            #expect(error <= 1e-12 || (expected == 0 && abs(actual) < 1e-14),
                    "\(reference.testDescription) \(function)(\(argument)) = \(actual), SciPy \(expected), relative error \(error)")
        }
    }

    @Test func supportEndsAndSymmetry() {
        let t = StudentT(degreesOfFreedom: 7)
        #expect(t.cdf(0) == 0.5)
        #expect(t.quantile(0) == -.infinity && t.quantile(1) == .infinity)
        #expect(ChiSquared(degreesOfFreedom: 3).cdf(-1) == 0)
        #expect(ChiSquared(degreesOfFreedom: 3).quantile(0) == 0)
        #expect(abs(t.quantile(0.975) + t.quantile(0.025)) < 1e-14)
        #expect(Normal().sf(.infinity) == 0 && Normal().cdf(.infinity) == 1)
    }
}
