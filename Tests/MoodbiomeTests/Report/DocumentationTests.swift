import Foundation
import Testing
@testable import MoodbiomeCore

/// The documents stay true to the code: every registered metric is named
/// in the README (a new metric fails here until it is documented), and no
/// function grows past what one screen shows.
@Suite("Documentation and code shape")
struct DocumentationTests {
    @Test func readmeNamesEveryRegisteredMetric() throws {
        let readme = try String(contentsOfFile: repositoryRoot + "/README.md", encoding: .utf8)
        for name in AlphaMetricDefinition.registry.map(\.name) + BetaMetricDefinition.registry.map(\.name) {
            #expect(readme.contains(name), "README.md does not name the metric \(name)")
        }
    }

    /// Functions and initialisers of at most ~100 lines (braces counted,
    /// strings and comments aside), so each reads in one screen.
    @Test func noFunctionIsLongerThanAScreen() throws {
        let sources = repositoryRoot + "/Sources"
        let files = FileManager.default.enumerator(atPath: sources)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") } ?? []
        #expect(files.count > 100)
        var long = [String]()
        let start = try Regex(#"^\s*(?:@\w+\s+)*(?:(?:public|private|fileprivate|internal|package|static|mutating|override|nonisolated)\s+)*(?:func\s+\w+|init[?!]?)\s*[(<]"#)
        for file in files {
            let lines = try String(contentsOfFile: sources + "/" + file, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            var i = 0
            while i < lines.count {
                defer { i += 1 }
                guard lines[i].firstMatch(of: start) != nil else { continue }
                var depth = 0, started = false, j = i
                scan: while j < lines.count {
                    let code = lines[j].replacing(try Regex(#""(?:\\.|[^"\\])*""#), with: "\"\"").split(separator: "//", maxSplits: 1).first ?? ""
                    for ch in code {
                        if ch == "{" { depth += 1; started = true } else if ch == "}" { depth -= 1 }
                        if started && depth == 0 { break scan }
                    }
                    j += 1
                }
                if j - i + 1 > 105 { long.append("\(file):\(i + 1) (\(j - i + 1) lines)") }
            }
        }
        #expect(long.isEmpty, "functions longer than a screen: \(long)")
    }
}
