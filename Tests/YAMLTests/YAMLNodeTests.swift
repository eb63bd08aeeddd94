import Testing
import YAML

@Suite("YAMLNode parsing")
struct YAMLNodeTests {
    private func plain(_ text: String) -> YAMLNode { .scalar(text, plain: true) }
    private func quoted(_ text: String) -> YAMLNode { .scalar(text, plain: false) }

    @Test("a block mapping keeps its pairs in document order, nested mappings included")
    func mappings() throws {
        let node = try YAMLNode.parse("b: 1\na: two\nnested:\n  x: y\n")
        #expect(node == .mapping([
            .init(key: plain("b"), value: plain("1")),
            .init(key: plain("a"), value: plain("two")),
            .init(key: plain("nested"), value: .mapping([.init(key: plain("x"), value: plain("y"))])),
        ]))
        #expect(node?["nested"]?["x"]?.string == "y")
        #expect(node?["missing"] == nil)
    }

    @Test("block sequences nest inside sequences and mappings")
    func nestedSequences() throws {
        let node = try YAMLNode.parse("""
        list:
          - a
          - - b
            - c
          - k: v
        """)
        #expect(node?["list"] == .sequence([
            plain("a"),
            .sequence([plain("b"), plain("c")]),
            .mapping([.init(key: plain("k"), value: plain("v"))]),
        ]))
    }

    @Test("flow sequences and mappings read like their block forms")
    func flowStyle() throws {
        let node = try YAMLNode.parse("s: [a, 'b', [c]]\nm: {a: 1, b: [2]}\ne: []\nf: {}")
        #expect(node?["s"] == .sequence([plain("a"), quoted("b"), .sequence([plain("c")])]))
        #expect(node?["m"] == .mapping([
            .init(key: plain("a"), value: plain("1")),
            .init(key: plain("b"), value: .sequence([plain("2")])),
        ]))
        #expect(node?["e"] == .sequence([]))
        #expect(node?["f"] == .mapping([]))
    }

    @Test("only unquoted scalars are plain; quotes are removed and escapes decoded")
    func quotedVersusPlain() throws {
        let node = try YAMLNode.parse(#"""
        p: 10
        s: '10'
        d: "a\tb \u00e9"
        single: 'it''s'
        empty: ''
        null_value:
        tilde: ~
        """#)
        #expect(node?["p"] == plain("10"))
        #expect(node?["s"] == quoted("10"))
        #expect(node?["d"] == quoted("a\tb é"))
        #expect(node?["single"] == quoted("it's"))
        #expect(node?["empty"] == quoted(""))
        #expect(node?["null_value"] == plain(""), "a missing value is an empty plain scalar")
        #expect(node?["tilde"] == plain("~"))
    }

    @Test("literal and folded block scalars keep their text and are not plain")
    func blockScalars() throws {
        let node = try YAMLNode.parse("""
        literal: |
          line one
            indented
          line three
        folded: >
          a
          b
        next: x
        """)
        #expect(node?["literal"] == quoted("line one\n  indented\nline three\n"))
        #expect(node?["folded"] == quoted("a b\n"))
        #expect(node?["next"] == plain("x"))
    }

    @Test("comments are ignored, and a plain scalar's # without a space before it is text")
    func comments() throws {
        let node = try YAMLNode.parse("""
        # heading
        a: 1 # trailing
        # between
        b: x#y
        """)
        #expect(node == .mapping([.init(key: plain("a"), value: plain("1")), .init(key: plain("b"), value: plain("x#y"))]))
    }

    @Test("an empty stream has no document; an explicit empty document is an empty plain scalar")
    func emptyDocuments() throws {
        #expect(try YAMLNode.parse("") == nil)
        #expect(try YAMLNode.parse("  \n\n") == nil)
        #expect(try YAMLNode.parse("# only a comment\n") == nil)
        #expect(try YAMLNode.parse("---\n") == plain(""))
        #expect(try YAMLNode.parse("--- 5\n...\n") == plain("5"))
    }

    @Test("a top-level scalar or sequence is returned as is")
    func topLevelScalars() throws {
        #expect(try YAMLNode.parse("hello") == plain("hello"))
        #expect(try YAMLNode.parse("- 1\n- 2") == .sequence([plain("1"), plain("2")]))
    }

    @Test("aliases stay aliases by default and anchors are dropped")
    func aliases() throws {
        let node = try YAMLNode.parse("base: &b {x: 1}\ncopy: *b\nscalar: &s v\nagain: *s")
        #expect(node?["base"] == .mapping([.init(key: plain("x"), value: plain("1"))]))
        #expect(node?["copy"] == .alias("b"))
        #expect(node?["scalar"] == plain("v"))
        #expect(node?["again"] == .alias("s"))
    }

    @Test("resolvingAliases replaces an alias by its anchored node and rejects an unknown anchor")
    func resolvedAliases() throws {
        let node = try YAMLNode.parse("base: &b {x: 1}\ncopy: *b\nlist: [&s v, *s]", resolvingAliases: true)
        #expect(node?["copy"] == .mapping([.init(key: plain("x"), value: plain("1"))]))
        #expect(node?["list"] == .sequence([plain("v"), plain("v")]))
        let error = #expect(throws: YAMLError.self) { try YAMLNode.parse("a: 1\nb: *nowhere", resolvingAliases: true) }
        #expect(error?.line == 2)
        #expect(error?.problem.contains("undefined alias") == true)
        #expect(try YAMLNode.parse("b: *nowhere")?["b"] == .alias("nowhere"), "without resolving, any name is kept")
    }

    @Test("malformed YAML is a YAMLError with libyaml's problem, line and column")
    func malformed() throws {
        let unclosed = #expect(throws: YAMLError.self) { try YAMLNode.parse("a: 1\nb: [1, 2\nc: 3") }
        #expect(unclosed?.line == 3)
        #expect(unclosed?.problem.isEmpty == false)
        #expect(unclosed?.context == "while parsing a flow sequence")
        #expect(unclosed?.description.hasPrefix("line 3, column ") == true)
        #expect(unclosed?.description.contains("(while parsing a flow sequence at line 2, column 4)") == true)

        let badIndent = #expect(throws: YAMLError.self) { try YAMLNode.parse("a:\n  b: 1\n c: 2\n") }
        #expect(badIndent?.line == 3)

        let colon = #expect(throws: YAMLError.self) { try YAMLNode.parse("a: b: c") }
        #expect(colon?.line == 1)
        #expect(colon?.column == 5)
        #expect(colon?.problem == "mapping values are not allowed in this context")

        let tab = #expect(throws: YAMLError.self) { try YAMLNode.parse("a:\n\t- 1") }
        #expect(tab?.line == 2)
    }

    @Test("a control character is a reader error positioned by line and column")
    func readerError() throws {
        let error = #expect(throws: YAMLError.self) { try YAMLNode.parse("a: 1\nbé: x\u{07}y") }
        #expect(error?.line == 2)
        #expect(error?.column == 6, "columns count characters, not bytes")
        #expect(error?.problem == "control characters are not allowed #x7")
    }

    @Test("a second document in the stream is an error at its start")
    func secondDocument() throws {
        let error = #expect(throws: YAMLError.self) { try YAMLNode.parse("a: 1\n---\nb: 2\n") }
        #expect(error?.line == 2)
        #expect(error?.problem == "but found another document")
        #expect(error?.context == "expected a single document in the stream")
    }

    @Test("nesting deeper than maximumDepth is an error, not a stack overflow")
    func depthLimit() throws {
        let depth = YAMLNode.maximumDepth
        #expect(try YAMLNode.parse(String(repeating: "[", count: depth) + String(repeating: "]", count: depth)) != nil)
        let error = #expect(throws: YAMLError.self) {
            try YAMLNode.parse(String(repeating: "[", count: depth + 1) + String(repeating: "]", count: depth + 1))
        }
        #expect(error?.column == depth + 1)
    }

    @Test("parsing many documents, valid and malformed, releases the parser each time")
    func repeatedParsesDoNotLeakOrCrash() throws {
        for i in 0..<2_000 {
            _ = try YAMLNode.parse("k\(i): [\(i), {x: \"y\"}]")
            _ = try? YAMLNode.parse("k\(i): [\(i), {x: \"y\"")
        }
        #expect(try YAMLNode.parse("k: v")?["k"] == plain("v"))
    }

    @Test("keys keep their text whatever their style, and duplicates are kept in order")
    func keysAndDuplicates() throws {
        let node = try YAMLNode.parse("'quoted key': 1\n? complex\n: 2\na: 1\na: 2")
        guard case .mapping(let pairs)? = node else { Issue.record("not a mapping"); return }
        #expect(pairs.map(\.key) == [quoted("quoted key"), plain("complex"), plain("a"), plain("a")])
        #expect(node?["a"] == plain("1"), "the subscript returns the first pair")
    }
}
