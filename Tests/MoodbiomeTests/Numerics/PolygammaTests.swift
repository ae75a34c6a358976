import Foundation
import Testing
@testable import MoodbiomeNumerics

/// digamma and trigamma against R 4.2.2's (`sprintf("%.17g", digamma(x))`,
/// `trigamma(x)`; Amos' algorithm in nmath), across the recurrence and the
/// asymptotic series.
@Suite struct PolygammaTests {
    static let reference: [(x: Double, digamma: Double, trigamma: Double)] = [
        (0.001, -1000.5755719318104, 1000001.6425331959),
        (0.01, -100.56088545786866, 10001.621213528313),
        (0.10000000000000001, -10.423754940411076, 101.43329915079275),
        (0.5, -1.9635100260214231, 4.934802200544679),
        (1, -0.57721566490153231, 1.6449340668482264),
        (1.5, 0.036489973978576895, 0.93480220054467933),
        (2.7000000000000002, 0.7967831689911411, 0.44721206891832366),
        (5, 1.5061176684318007, 0.22132295573711527),
        (9.9900000000000002, 2.2507003728312012, 0.10527695014824182),
        (10, 2.2517525890667214, 0.10516633568168572),
        (33.299999999999997, 3.4904672385202429, 0.030485444095338887),
        (100, 4.6001618527380881, 0.010050166663333566),
        (1234.5, 7.1180162318279976, 0.00081037272712696667),
        (1000000, 13.81551005796419, 1.0000005000001672e-06),
    ]

    @Test func matchR() {
        for r in Self.reference {
            #expect(isClose(digamma(r.x), r.digamma, relative: 1e-15, absolute: 1e-15), "digamma(\(r.x))")
            #expect(isClose(trigamma(r.x), r.trigamma, relative: 1e-15), "trigamma(\(r.x))")
        }
        #expect(digamma(0).isNaN && digamma(-1).isNaN && trigamma(0).isNaN)
    }
}
