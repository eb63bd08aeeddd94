extension YAMLNode {
    /// How deeply sequences and mappings may nest; deeper input is an error rather than a risk to
    /// the stack of whoever walks the tree recursively.
    public static let maximumDepth = 256

    /// Parses a YAML stream holding at most one document.
    ///
    /// - Parameters:
    ///   - text: The YAML text.
    ///   - resolvingAliases: When false (the default), an alias stays ``alias(_:)`` and anchors are
    ///     ignored. When true, an alias is replaced by the node most recently anchored with its
    ///     name before it (as YAML loaders do), and an alias to an unknown anchor is an error.
    /// - Returns: The document's root node, or nil when the stream holds no document (empty text,
    ///   or only comments and whitespace). An explicit empty document (`---`) is a plain empty scalar.
    /// - Throws: ``YAMLError`` for malformed YAML, for a second document in the stream
    ///   (`but found another document`), and for nesting deeper than ``maximumDepth``.
    public static func parse(_ text: String, resolvingAliases: Bool = false) throws(YAMLError) -> YAMLNode? {
        var text = text
        let result = text.withUTF8 { bytes -> Result<YAMLNode?, YAMLError> in
            guard !bytes.isEmpty else { return .success(nil) }
            return Result { () throws(YAMLError) -> YAMLNode? in
                let parser = try EventParser(bytes: bytes)
                return try singleDocument(from: parser, resolvingAliases: resolvingAliases)
            }
        }
        return try result.get()
    }

    /// The stream's only document: stream start, (document start, node, document end)?, stream end.
    private static func singleDocument(from parser: borrowing EventParser, resolvingAliases: Bool) throws(YAMLError) -> YAMLNode? {
        _ = try parser.next()  // stream start
        guard case .documentStart = try parser.next().event else { return nil }  // stream end: no document
        let root = try node(from: parser, resolvingAliases: resolvingAliases)
        _ = try parser.next()  // document end
        let after = try parser.next()
        guard case .streamEnd = after.event else {
            throw YAMLError(problem: "but found another document", line: after.line, column: after.column,
                            context: "expected a single document in the stream")
        }
        return root
    }

    /// A sequence or mapping being read, its children so far (a mapping's alternate key, value).
    private struct OpenCollection {
        var isMapping: Bool
        var anchor: String?
        var children: [YAMLNode] = []

        var node: YAMLNode {
            guard isMapping else { return .sequence(children) }
            return .mapping(stride(from: 0, to: children.count - 1, by: 2).map {
                Pair(key: children[$0], value: children[$0 + 1])
            })
        }
    }

    /// Reads one whole node; iterative, so input nesting cannot exhaust the stack here.
    private static func node(from parser: borrowing EventParser, resolvingAliases: Bool) throws(YAMLError) -> YAMLNode {
        var open: [OpenCollection] = []
        var anchors: [String: YAMLNode] = [:]
        while true {
            let (event, line, column) = try parser.next()
            let complete: YAMLNode
            var anchor: String?
            switch event {
            case .scalar(let value, let plain, let name):
                complete = .scalar(value, plain: plain)
                anchor = name
            case .alias(let name):
                if resolvingAliases {
                    guard let target = anchors[name] else {
                        throw YAMLError(problem: "found undefined alias '\(name)'", line: line, column: column)
                    }
                    complete = target
                } else {
                    complete = .alias(name)
                }
            case .sequenceStart(let name), .mappingStart(let name):
                guard open.count < maximumDepth else {
                    throw YAMLError(problem: "nesting deeper than \(maximumDepth) levels", line: line, column: column)
                }
                if case .mappingStart = event {
                    open.append(OpenCollection(isMapping: true, anchor: name))
                } else {
                    open.append(OpenCollection(isMapping: false, anchor: name))
                }
                continue
            case .sequenceEnd, .mappingEnd:
                guard let collection = open.popLast() else {
                    throw YAMLError(problem: "unbalanced collection end", line: line, column: column)
                }
                complete = collection.node
                anchor = collection.anchor
            case .streamStart, .streamEnd, .documentStart, .documentEnd:
                throw YAMLError(problem: "unexpected \(event) inside a document", line: line, column: column)
            }
            if resolvingAliases, let anchor { anchors[anchor] = complete }
            guard !open.isEmpty else { return complete }
            open[open.count - 1].children.append(complete)
        }
    }
}
