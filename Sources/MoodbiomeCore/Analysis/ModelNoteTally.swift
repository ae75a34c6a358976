/// The notes of several models, each once, in the order first seen, with
/// the models (metrics) it concerns.
public struct ModelNoteTally: Sendable {
    private var order = [ModelNote]()
    private var metrics = [ModelNote: [String]]()

    public init() {}

    public mutating func add(_ note: ModelNote, metric: String) {
        if metrics[note] == nil { order.append(note) }
        metrics[note, default: []].append(metric)
    }

    public var notes: [(note: ModelNote, metrics: [String])] { order.map { (note: $0, metrics: metrics[$0] ?? []) } }
}
