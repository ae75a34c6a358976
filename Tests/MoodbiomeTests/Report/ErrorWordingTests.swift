import Foundation
import Testing
@testable import MoodbiomeIO
@testable import MoodbiomeReport
@testable import MoodbiomeStudy

/// Lower layers name parameters, never a front end's spelling of them: a
/// fix that mentions a parameter reads `--id-column` on the command line and
/// `inputs.id_column` to a manifest user.
@Suite("Errors in the words of whoever asked")
struct ErrorWordingTests {
    @Test func mentionsAreSpelledByTheFrontEnd() throws {
        let path = temporaryFile("dup.csv", "id,x\na,1\na,1\n")
        let error = try #require(throws: InputError.self) { try DataTable.read(path) }
        #expect(message(error).hasSuffix("Make the IDs unique, or name the right ID column with --id-column"))
        #expect(error.worded(StudyManifest.spelling.spell).hasSuffix("Make the IDs unique, or name the right ID column with inputs.id_column"))
        #expect(error.description.hasSuffix("name the right ID column with idColumn"))
        #expect(Parameter.spelling("a \(Parameter.overwrite.mention) b \(Parameter.taxonomy.mention)", { "<\($0.name)>" }) == "a <overwrite> b <taxonomy>")
    }

    /// No string in Numerics, IO or Core spells a command-line flag (other
    /// tools' commands, such as `biom convert --to-hdf5`, aside).
    @Test func lowerLayersNameNoFlag() throws {
        let flag = try Regex(#""[^"\n]*[\s(]--[a-z][a-z-]+"#)
        for layer in ["MoodbiomeNumerics", "MoodbiomeIO", "MoodbiomeCore"] {
            let folder = repositoryRoot + "/Sources/" + layer
            let files = FileManager.default.enumerator(atPath: folder)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") } ?? []
            #expect(!files.isEmpty)
            for file in files {
                let text = try String(contentsOfFile: folder + "/" + file, encoding: .utf8)
                for line in text.split(separator: "\n") where !line.trimmingCharacters(in: .whitespaces).hasPrefix("//") {
                    guard let match = line.firstMatch(of: flag) else { continue }
                    let found = String(line[match.range])
                    #expect(found.contains("biom convert"), "\(layer)/\(file): \(found)")
                }
            }
        }
    }
}
