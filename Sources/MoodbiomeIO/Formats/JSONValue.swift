import FoundationEssentials

/// A JSON value (RFC 8259), read by FoundationEssentials' `JSONDecoder`:
/// for small documents whose shape is not fixed in advance (a provenance
/// record's parameters). Tables are decoded into their own types
/// (``BIOMJSON``), which is faster and says where a value is wrong.
public enum JSONValue: Decodable, Equatable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null; return }
        if let b = try? container.decode(Bool.self) { self = .bool(b); return }
        if let x = try? container.decode(Double.self) { self = .number(x); return }
        if let s = try? container.decode(String.self) { self = .string(s); return }
        if let a = try? container.decode([JSONValue].self) { self = .array(a); return }
        self = .object(try container.decode([String: JSONValue].self))
    }

    /// The document in `bytes`; throws `DecodingError` for invalid JSON.
    public static func parse(_ bytes: [UInt8]) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
    }

    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    public var string: String? { if case .string(let s) = self { return s }; return nil }
    public var array: [JSONValue]? { if case .array(let a) = self { return a }; return nil }
    public var object: [String: JSONValue]? { if case .object(let o) = self { return o }; return nil }

    /// Canonical text for comparing values: compact, keys sorted, numbers
    /// that are whole written without a fraction (`150`, `0.95`).
    public var canonical: String {
        switch self {
        case .null: "null"
        case .bool(let b): b ? "true" : "false"
        case .number(let x): x == x.rounded() && abs(x) < 1e15 ? String(Int64(x)) : "\(x)"
        case .string(let s): jsonString(s)
        case .array(let a): "[" + a.map(\.canonical).joined(separator: ",") + "]"
        case .object(let o): "{" + o.sorted { $0.key < $1.key }.map { jsonString($0.key) + ":" + $0.value.canonical }.joined(separator: ",") + "}"
        }
    }
}
