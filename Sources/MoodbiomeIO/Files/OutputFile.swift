/// One file of a run's output directory: its path relative to the
/// directory (`figures/x.svg` names a file in a folder) and its bytes.
/// Text outputs are UTF-8; figures exported as PDF or PNG are binary.
public struct OutputFile: Sendable, Equatable {
    public let name: String
    public let bytes: [UInt8]

    public init(_ name: String, bytes: [UInt8]) {
        self.name = name
        self.bytes = bytes
    }

    /// A UTF-8 text file.
    public init(_ name: String, text: String) {
        self.init(name, bytes: Array(text.utf8))
    }

    /// The contents as UTF-8 text.
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    /// Text files from (name, contents) pairs.
    public static func texts(_ files: [(name: String, contents: String)]) -> [OutputFile] {
        files.map { OutputFile($0.name, text: $0.contents) }
    }
}
