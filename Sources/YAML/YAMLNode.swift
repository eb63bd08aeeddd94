/// One node of a YAML document, as written: scalars keep their text (no typing) and whether they
/// were plain, mappings keep their pairs in document order (duplicate keys included).
///
/// ```swift
/// let node = try YAMLNode.parse("max_workers: 10\nNAME: 'x'")
/// node?["max_workers"]   // .scalar("10", plain: true)
/// node?["NAME"]          // .scalar("x", plain: false)
/// ```
///
/// Tags (`!!str`) and anchors (`&name`) are not kept; see ``parse(_:resolvingAliases:)`` for aliases.
public enum YAMLNode: Sendable, Hashable {
    /// A scalar's text after YAML unescaping and folding. `plain` is true only for an unquoted,
    /// non-block scalar (`10`, `true`, `~`); single- or double-quoted, literal (`|`) and folded (`>`)
    /// scalars are never plain, which is what lets a reader treat `'10'` as text and `10` as a number.
    case scalar(String, plain: Bool)
    /// A block (`- a`) or flow (`[a, b]`) sequence.
    case sequence([YAMLNode])
    /// A block or flow (`{a: 1}`) mapping, its pairs in document order.
    case mapping([Pair])
    /// An alias (`*name`) left unresolved; its value is the anchor's name without the `*`.
    case alias(String)

    /// One key/value pair of a mapping.
    public struct Pair: Sendable, Hashable {
        public var key: YAMLNode
        public var value: YAMLNode

        public init(key: YAMLNode, value: YAMLNode) {
            self.key = key
            self.value = value
        }
    }

    /// The text of a scalar (plain or not); nil for any other node.
    public var string: String? {
        if case .scalar(let text, _) = self { return text }
        return nil
    }

    /// In a mapping, the value of the first pair whose key is a scalar with this text; nil when there
    /// is none or this is not a mapping.
    public subscript(key: String) -> YAMLNode? {
        guard case .mapping(let pairs) = self else { return nil }
        return pairs.first { $0.key.string == key }?.value
    }
}
