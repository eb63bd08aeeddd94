import Foundation
import Testing
@testable import JSON

/// Bayeux replies are checked with `skipValue`/`member(at:)` and each event's `data` is decoded
/// later from the checked text: these tests protect that the check accepts exactly what the parser
/// accepts, and that the lazy value reads the same as an eagerly parsed one.
@Suite("Skipping, member lookup and lazily decoded values")
struct LazyJSONValueTests {
    static let documents = [
        #"{"event":{"createdDate":"2024-01-01T00:00:00.000Z","replayId":7,"type":"created"},"sobject":{"Id":"a00","Name":"x"}}"#,
        #"{"event":{"replayId":1},"event":{"replayId":"two"}}"#,
        #"{"ev\u0065nt":{"replayId":null}, "other": [1, -2.5e3, true, false, null, {"a": "\ud83d\ude00\n"}]}"#,
        #" [ {"event": 3}, "s\"t", -0, 1E+2 ] "#,
        #"{"event":{"x":{"replayId":1}},"payload":"{\"replayId\":9}"}"#,
        #"{}"#, #"[]"#, #""plain""#, "12", "null",
    ]

    static func parses(_ text: String) -> Bool { (try? JSONValue(parsing: text)) != nil }

    static func skips(_ text: String) -> Bool {
        Data(text.utf8).withUnsafeBytes { raw in
            var parser = JSONParser(bytes: raw)
            do {
                try parser.skipValue()
                try parser.expectEnd()
                return true
            } catch {
                return false
            }
        }
    }

    @Test("skipValue accepts exactly what the parser accepts, over every prefix and one-byte change of valid documents")
    func skipAcceptsWhatParseAccepts() {
        let replacements: [UInt8] = Array(#"{}[]",:\ 0-eE.tfnu"#.utf8) + [0x01, 0x7F, 0xC3]
        var checked = 0
        for document in Self.documents + [#"["a\"b\\c\/d\n\t", "\u00e9\u20ac", "\ud83d\ude00", "plain é"]"#] {
            let bytes = Array(document.utf8)
            var variants: [[UInt8]] = (0...bytes.count).map { Array(bytes[..<$0]) }
            for index in bytes.indices {
                for replacement in replacements where replacement != bytes[index] {
                    var changed = bytes
                    changed[index] = replacement
                    variants.append(changed)
                }
                var removed = bytes
                removed.remove(at: index)
                variants.append(removed)
            }
            for variant in variants {
                let text = String(decoding: variant, as: UTF8.self)
                // Compare on the same bytes (String(decoding:) repairs invalid UTF-8 the same way for both).
                #expect(Self.skips(text) == Self.parses(text), "\(text.debugDescription)")
                checked += 1
            }
        }
        #expect(checked > 5000)
    }

    @Test("strings scanned eight bytes at a time: an escape, a quote or a control byte is found at every offset")
    func wordScanning() throws {
        for length in 0...40 {
            let plain = String(repeating: "a", count: length)
            #expect(try JSONValue(parsing: "\"\(plain)\"") == .string(plain))
            for offset in 0..<length {
                var escaped = Array(plain)
                escaped[offset] = "é"
                #expect(try JSONValue(parsing: "[\"\(String(escaped))\"]") == [.string(String(escaped))])
                let withEscape = String(plain.prefix(offset)) + "\\n" + String(plain.dropFirst(offset))
                #expect(try JSONValue(parsing: "\"\(withEscape)\"") == .string(String(plain.prefix(offset)) + "\n" + String(plain.dropFirst(offset))))
                let withControl = String(plain.prefix(offset)) + "\u{01}" + String(plain.dropFirst(offset))
                #expect(!Self.parses("\"\(withControl)\""), "a raw control character at \(offset) of \(length)")
                #expect(!Self.skips("\"\(withControl)\""))
            }
        }
    }

    @Test("skipValue refuses nesting deeper than the parser does")
    func skipDepth() {
        #expect(!Self.skips(String(repeating: "[", count: 600) + String(repeating: "]", count: 600)))
        #expect(Self.skips(String(repeating: "[", count: 100) + String(repeating: "]", count: 100)))
    }

    @Test("member(at:) finds what a parsed value's subscripts find (the last of repeated members)", arguments: documents)
    func memberMatchesSubscripts(_ document: String) throws {
        let parsed = try JSONValue(parsing: document)
        for path in [["event", "replayId"], ["event"], ["sobject", "Name"], ["missing"], []] {
            var expected: JSONValue? = parsed
            for name in path { expected = expected?[name] }
            let found = try Data(document.utf8).withUnsafeBytes { raw in
                var parser = JSONParser(bytes: raw)
                let value = try parser.member(at: path[...])
                try parser.expectEnd()
                return value
            }
            #expect(found == expected, "\(path) in \(document)")
        }
    }

    @Test("a lazy value decodes its slice of the document, equals the eager value and answers member lookups before and after")
    func lazyValue() throws {
        let data = #"{"channel":"/topic/A","data":{"event":{"replayId":42},"sobject":{"Name":"n"}}}"#
        let document = Array(data.utf8)
        let start = try #require(document.firstIndex(of: UInt8(ascii: "{")).map { $0 + 1 })
        let range = (start + #""channel":"/topic/A","data":"#.utf8.count)..<(document.count - 1)
        let expected = try JSONValue(parsing: #"{"event":{"replayId":42},"sobject":{"Name":"n"}}"#)

        let lazy = LazyJSONValue(CheckedDocument(document, knownPath: nil, values: [.init(range: range, known: nil, offsets: nil)]),
                                 index: 0)
        #expect(lazy.member(at: ["event", "replayId"]) == 42, "read from the text, before decoding")
        #expect(lazy.value == expected)
        #expect(lazy.member(at: ["sobject", "Name"]) == "n", "read from the decoded value")
        #expect(lazy == LazyJSONValue(expected))
        #expect(lazy.hashValue == LazyJSONValue(expected).hashValue)

        let knownDocument = CheckedDocument(document, knownPath: ["event", "replayId"],
                                            values: [.init(range: range, known: 41, offsets: nil)])
        #expect(LazyJSONValue(knownDocument, index: 0).member(at: ["event", "replayId"]) == 41,
                "the member found while checking is used as is")
        #expect(knownDocument.member(of: 0, at: ["event", "replayId"]) == 41, "also when read from the text each time")
        #expect(knownDocument.member(of: 0, at: ["sobject", "Name"]) == "n")
        #expect(LazyJSONValue(.null).member(at: ["event"]) == nil)
    }

    /// Documents whose member names the offsets cannot hold: more members than it has room for,
    /// an escaped name, a repeated one.
    static let unindexable = [
        #"{"a":1,"b":2,"c":3,"d":4,"sobject":{"Name":"fifth"}}"#,
        #"{"sobj\u0065ct":{"Name":"escaped"},"event":{"type":"t"}}"#,
        #"{"sobject":{"Name":"first"},"event":{"type":"t"},"sobject":{"Name":"last"}}"#,
    ]

    @Test("members read from the text (kept, then past the limit from the decoded value) equal the parsed value's, with and without the check's offsets",
          arguments: documents + unindexable, [false, true])
    func membersReadFromText(_ document: String, withOffsets: Bool) throws {
        let parsed = try JSONValue(parsing: document)
        let bytes = Array(("  " + document).utf8)  // offsets into a text the value does not start
        var offsets = MemberOffsets()
        try bytes.withUnsafeBytes { raw in
            var parser = JSONParser(bytes: raw)
            _ = try parser.member(at: ["event", "replayId"], offsets: &offsets)
        }
        // The document's second value (the first is a decoy), as a reply holds its events' data.
        let decoy = CheckedDocument.Value(range: 0..<2, known: nil, offsets: nil)
        let checked = CheckedDocument(bytes, knownPath: nil,
                                      values: [decoy, .init(range: 2..<bytes.count, known: nil, offsets: withOffsets ? offsets : nil)])
        let lazy = LazyJSONValue(checked, index: 1)
        let paths = [["sobject"], ["event", "type"], ["sobject"], ["event"], ["payload"], ["missing"],
                     ["event", "replayId"], ["sobject", "Name"], ["event", "type"], []]
        for round in 1...2 {
            for path in paths {
                var expected: JSONValue? = parsed
                for name in path { expected = expected?[name] }
                #expect(lazy.member(at: path) == expected, "round \(round), \(path) in \(document)")
                #expect(checked.member(of: 1, at: path) == expected, "uncached, \(path) in \(document)")
                #expect(JSONPayload.value(LazyJSONValue(parsed)).member(at: path) == expected, "decoded, \(path) in \(document)")
            }
        }
        #expect(lazy.value == parsed)
        #expect(JSONPayload.checked(checked, index: 1).decoded == parsed)
        #expect(JSONPayload.checked(checked, index: 1) == JSONPayload.value(LazyJSONValue(parsed)))
    }

    @Test("the check notes the members of an object of up to four plainly named members, and only those")
    func offsetsKeptOnlyWhenComplete() throws {
        func offsets(_ document: String) throws -> MemberOffsets {
            var offsets = MemberOffsets()
            try Data(document.utf8).withUnsafeBytes { raw in
                var parser = JSONParser(bytes: raw)
                _ = try parser.member(at: ["event"], offsets: &offsets)
            }
            return offsets
        }
        #expect(try offsets(Self.documents[0]).isComplete)
        #expect(try offsets(#"{"a":1,"b":2,"c":3,"d":4}"#).isComplete)
        #expect(try !offsets(Self.unindexable[0]).isComplete, "five members")
        #expect(try !offsets(Self.unindexable[1]).isComplete, "an escaped name")
        #expect(try offsets(Self.unindexable[2]).isComplete, "a repeated name: the last is read")
        let long = #"{"event":{"replayId":1},"sobject":{"Description":""# + String(repeating: "x", count: 70_000) + #""}}"#
        #expect(try !offsets(long).isComplete, "members spanning over 64 KB")
        #expect(MemoryLayout<MemberOffsets>.size <= 40, "every event keeps one")
        let document = Data(Self.unindexable[2].utf8)
        let range = try document.withUnsafeBytes { raw in try #require(try offsets(Self.unindexable[2]).valueRange(of: "sobject", in: raw)) }
        #expect(String(decoding: document[range], as: UTF8.self) == #"{"Name":"last"}"#)
    }
}
