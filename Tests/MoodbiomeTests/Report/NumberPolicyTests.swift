import Testing
@testable import MoodbiomeReport

@Suite("Numbers for people")
struct NumberPolicyTests {
    /// A permutation p at its floor 1/(N + 1) is a bound: written ≤ the
    /// floor rounded up to one significant digit (never a value it is not).
    @Test func permutationPValuesAtTheFloorAreBounds() {
        #expect(NumberPolicy.permutationPValue(1.0 / 1000, permutations: 999) == "≤ 0.001")
        #expect(NumberPolicy.permutationPValue(1.0 / 10000, permutations: 9999) == "≤ 0.0001")
        #expect(NumberPolicy.permutationPValue(1.0 / 30, permutations: 29) == "≤ 0.04")
        #expect(NumberPolicy.permutationPValue(1.0 / 200, permutations: 199) == "≤ 0.005")
        #expect(NumberPolicy.permutationPValue(2.0 / 1000, permutations: 999) == NumberPolicy.pValue(0.002))
        #expect(NumberPolicy.permutationPValue(0.5, permutations: 999) == NumberPolicy.pValue(0.5))
        #expect(NumberPolicy.permutationPValue(.nan, permutations: 999) == "NA")
    }
}
