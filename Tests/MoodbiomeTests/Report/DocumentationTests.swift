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

    /// The release binary (`make build`, `--static-swift-stdlib`) carries
    /// FoundationEssentials alone, while the debug build the tests run loads
    /// full Foundation through the argument parser: code that leans on full
    /// Foundation passes here and misbehaves in users' hands. So Sources
    /// import FoundationEssentials only, and never read FileManager's
    /// attribute dictionaries, whose `Any` values bridge (`as? Int`) only
    /// with full Foundation (a provenance file once recorded every input's
    /// size as null that way).
    @Test func sourcesNeedFoundationEssentialsOnly() throws {
        let sources = repositoryRoot + "/Sources"
        let files = FileManager.default.enumerator(atPath: sources)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") } ?? []
        #expect(files.count > 100)
        for file in files {
            let text = try String(contentsOfFile: sources + "/" + file, encoding: .utf8)
            for line in text.split(separator: "\n") where !line.trimmingCharacters(in: .whitespaces).hasPrefix("//") {
                #expect(line.firstMatch(of: /^\s*(@\w+\s+)*import\s+Foundation\s*$/) == nil, "\(file): \(line)")
                #expect(!line.contains("attributesOfItem"), "\(file): \(line)")
            }
        }
    }
}
