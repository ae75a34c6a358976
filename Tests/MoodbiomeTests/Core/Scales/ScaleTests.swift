import Foundation
import Testing
@testable import MoodbiomeCore
@testable import MoodbiomeIO
@testable import MoodbiomeNumerics
@testable import MoodbiomeReport
@testable import MoodbiomeStudy

/// Answers whose scored total is `total`: contributions filled item by item
/// up to each maximum, then turned into raw answers (reverse items inverted).
func answers(for scale: MoodScale, total: Int) -> [Int?] {
    var left = total
    return scale.itemMaximum.enumerated().map { i, maximum in
        let contribution = Swift.min(left, maximum)
        left -= contribution
        return scale.reversedItems.contains(i + 1) ? maximum - contribution : contribution
    }
}

extension MoodScale: CustomTestStringConvertible {
    public var testDescription: String { id }
}

@Suite struct ScaleTests {
    /// Every band boundary of every instrument: the lowest and highest total
    /// of each band lands in that band.
    @Test(arguments: MoodScale.all)
    func bandsAtEveryBoundary(_ scale: MoodScale) {
        #expect(scale.bands.first!.lower == 0)
        #expect(Int(scale.bands.last!.upper) == scale.maximumTotal)
        for (a, b) in zip(scale.bands, scale.bands.dropFirst()) { #expect(b.lower == a.upper + 1, "gap or overlap in \(scale.id)") }
        for band in scale.bands {
            for total in [Int(band.lower), Int(band.upper)] {
                let s = scale.score(answers(for: scale, total: total))
                #expect(s.total == Double(total) && s.band == band.name && !s.prorated && s.answered == scale.itemCount,
                        "\(scale.id) total \(total): \(s)")
            }
        }
    }

    @Test(arguments: [
        // (scale, answers, total, band, prorated) — worked by hand.
        ("phq9", [1, 1, 2, 1, 0, 1, 2, 1, 0], 9.0, "mild", false),
        ("phq9", [1, 1, 1, 1, 1, 1, 1, nil, nil], 9.0, "mild", true),          // 7 × 9/7
        ("phq9", [1, 2, 1, 2, 1, 2, 1, nil, nil], 13.0, "moderate", true),     // 10 × 9/7 = 12.86 → 13
        ("phq9", [2, 2, 2, 2, 2, 2, 2, 2, nil], 18.0, "moderately severe", true),
        ("phq9", [3, 3, 3, 3, 3, 3, nil, nil, nil], nil, nil, false),           // 3 missing: not scored
        ("phq8", [3, 3, 3, 3, 3, 3, 2, 3], 23.0, "severe", false),
        ("cesd", [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 12.0, "below cutoff", false),  // 4 reversed items score 3
        ("cesd", [1, 1, 1, 3, 1, 1, 1, 3, 1, 1, 1, 3, 1, 1, 1, 3, 1, 0, 0, 0], 13.0, "below cutoff", false),
        ("cesd", [2, 2, 2, 0, 2, 2, 2, 0, 1, 1, 1, 0, 1, 1, nil, nil, nil, nil, 1, 1], 35.0, "possible depression", true),  // 19 + 3·3 reversed = 28; 4 missing: 28 × 20/16
        ("cesd", [2, 2, 2, 0, 2, nil, nil, nil, nil, nil, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1], nil, nil, false),  // 5 missing
        ("pss10", [4, 4, 4, 4, 4, 4, 4, 4, 4, 4], 24.0, "moderate", false),   // items 4, 5, 7, 8 reversed to 0
        ("pss10", [2, 1, 3, 1, 0, 2, 1, 2, 3, 2], 25.0, "moderate", false),   // 13 + (3 + 4 + 3 + 2) reversed
        ("bdi2", [1, 1, 0, 1, 1, 0, 1, 1, 0, 0, 1, 1, 0, 1, 1, 2, 1, 1, 1, 1, 0], 16.0, "mild", false),
        ("bdi2", [2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, nil, nil], 42.0, "severe", true),  // 38 × 21/19 = 42
        ("hamd17", [4, 4, 4, 2, 2, 2, 4, 4, 4, 4, 4, 2, 2, 2, 4, 2, 2], 52.0, "very severe", false),
        ("hamd17", [2, 1, 0, 1, 1, 0, 2, 1, 0, 1, 1, 0, 0, 1, 0, 0, 0], 11.0, "mild", false),
        ("hamd17-zimmerman", [2, 1, 0, 1, 1, 0, 2, 1, 0, 1, 1, 0, 0, 1, 0, 0, 0], 11.0, "mild", false),
        ("hamd17", [2, 1, 0, 1, 1, 0, 2, 1, 0, 1, 1, 0, 0, 1, 0, 0, nil], nil, nil, false),  // clinician-rated: none missing
        ("madrs", [3, 3, 2, 2, 2, 2, 2, 2, 1, 1], 20.0, "moderate", false),
        ("hads-d", [1, 1, 1, 1, 2, 2, nil], 9.0, "borderline", true),          // 8 × 7/6 = 9.33 → 9
        ("hads-a", [2, 2, 2, 2, 1, 1, 1], 11.0, "case", false),
        ("gad7", [3, 3, 2, 2, 2, 2, nil], 16.0, "severe", true),                // 14 × 7/6 = 16.33 → 16
    ] as [(String, [Int?], Double?, String?, Bool)])
    func handWorkedCases(_ id: String, _ given: [Int?], _ total: Double?, _ band: String?, _ prorated: Bool) throws {
        let scale = try #require(MoodScale.named(id))
        let s = scale.score(given)
        #expect(s.total == total && s.band == band && s.prorated == prorated, "\(id): \(s)")
    }

    @Test func prorationCanBeExactAndLimitsOverridden() {
        var options = ScoringOptions()
        options.roundProrated = false
        let s = MoodScale.phq9.score([1, 2, 1, 2, 1, 2, 1, nil, nil], options: options)
        #expect(abs(s.total! - 90.0 / 7) < 1e-12 && s.band == "moderate")
        options.maxMissing = 0
        #expect(MoodScale.phq9.score([1, 2, 1, 2, 1, 2, 1, 1, nil], options: options).total == nil)
        var reverse = ScoringOptions()
        reverse.reversedItems = [1, 3]
        #expect(MoodScale.hadsDepression.score([0, 0, 0, 0, 0, 0, 0], options: reverse).total == 6)
    }

    @Test func bdiLetterFormsAndInvalidAnswers() {
        let bdi = MoodScale.bdi2
        #expect(bdi.parseAnswer("2b", item: 16) == .value(2))
        #expect(bdi.parseAnswer("1A", item: 18) == .value(1))
        #expect(bdi.parseAnswer("3a", item: 18) == .value(3))
        #expect(bdi.parseAnswer("0", item: 16) == .value(0))
        if case .invalid = bdi.parseAnswer("0a", item: 16) {} else { Issue.record("0a accepted") }
        if case .invalid = bdi.parseAnswer("2b", item: 15) {} else { Issue.record("letter accepted on item 15") }
        if case .invalid = MoodScale.hamd17.parseAnswer("3", item: 4) {} else { Issue.record("3 accepted on a 0–2 item") }
        if case .invalid = MoodScale.phq9.parseAnswer("-1", item: 1) {} else { Issue.record("-1 accepted") }
        if case .invalid = MoodScale.phq9.parseAnswer("1.5", item: 1) {} else { Issue.record("1.5 accepted") }
        #expect(MoodScale.phq9.parseAnswer(" NA ", item: 2) == .missing)
        #expect(MoodScale.phq9.parseAnswer("2.0", item: 2) == .value(2))
    }

    @Test func scoreRunAppendsColumnsAndNamesBadAnswers() throws {
        let path = temporaryFile("items.csv", """
        participant,age,phq9_1,phq9_2,phq9_3,phq9_4,phq9_5,phq9_6,phq9_7,phq9_8,phq9_9
        P1,34,1,1,2,1,0,1,2,1,0
        P2,51,3,3,3,3,3,3,3,NA,
        P3,29,0,0,0,0,NA,NA,NA,0,0

        """)
        var job = ScoreRun(dataPath: path, scale: "phq9")
        job.prefix = "phq9_"
        var notes = [String]()
        let text = try #require(try job.run { notes.append($0) })
        #expect(text == """
        participant,age,phq9_1,phq9_2,phq9_3,phq9_4,phq9_5,phq9_6,phq9_7,phq9_8,phq9_9,phq9_total,phq9_band,phq9_answered,phq9_prorated
        P1,34,1,1,2,1,0,1,2,1,0,9,mild,9,false
        P2,51,3,3,3,3,3,3,3,NA,,27,severe,7,true
        P3,29,0,0,0,0,NA,NA,NA,0,0,NA,NA,6,false

        """)
        #expect(notes == ["note: 1 participant not scored (more than 2 items missing): P3"])

        let bad = temporaryFile("bad.csv", "id,i1,i2,i3,i4,i5,i6,i7\nA,1,2,1,0,0,1,1\nB,1,2,4,0,0,1,1\n")
        var gad = ScoreRun(dataPath: bad, scale: "gad7")
        gad.items = (1...7).map { "i\($0)" }
        #expect {
            try gad.run { _ in }
        } throws: { message($0) == "\(bad):3:4: participant 'B' answered '4' to i3; item 3 of gad7 takes a whole number from 0 to 3 (column 'i3'). Correct the answer, mark it missing (NA), or pass --invalid as-missing to count such answers as missing" }
        gad.options.invalidAsMissing = true
        gad.spelling = commandLineSpelling
        var gadNotes = [String]()
        let scored = try #require(try gad.run { gadNotes.append($0) })
        #expect(scored.hasSuffix("B,1,2,4,0,0,1,1,6,mild,6,true\n"))   // 5 × 7/6 = 5.83 → 6
        #expect(gadNotes == ["note: 1 invalid answer counted as missing (--invalid as-missing)"])
    }

    @Test func bdiLetteredAnswersScoreTheirDigit() throws {
        let header = "id," + (1...21).map { "bdi\($0)" }.joined(separator: ",")
        let answers = (1...21).map { $0 == 16 ? "2b" : $0 == 18 ? "1a" : "1" }.joined(separator: ",")
        let path = temporaryFile("bdi.csv", header + "\nQ1," + answers + "\n")
        var job = ScoreRun(dataPath: path, scale: "bdi2")
        job.prefix = "bdi"
        let text = try #require(try job.run { _ in })
        #expect(text.hasSuffix(",2b,1,1a,1,1,1,22,moderate,21,false\n"))   // 19 ones + 2 + 1
    }

    @Test func unknownScaleAndMissingItemColumns() throws {
        #expect { try ScoreRun.scale(named: "phq10") } throws: { message($0).contains("Known: phq9, phq8, bdi2") }
        let path = temporaryFile("x.csv", "id,q1,q2\nA,1,2\n")
        var job = ScoreRun(dataPath: path, scale: "phq9")
        job.prefix = "q"
        #expect { try job.run { _ in } } throws: { message($0).contains("q3, q4, q5, q6, q7, q8, q9 are not in the table") }
    }
}
