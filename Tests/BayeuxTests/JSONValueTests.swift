import Foundation
import Testing
@testable import Bayeux

@Suite("JSONValue parsing and serialization")
struct JSONValueTests {
    @Test("parses every JSON type, keeping integers exact and Booleans distinct from numbers")
    func parsesTypes() throws {
        let v = try JSONValue(parsing: #" {"a": [1, -2, 9223372036854775807, -9223372036854775808, 1.5, 2e3, true, false, null, "s"]} "#)
        #expect(v == ["a": [1, -2, .int(.max), .int(.min), 1.5, 2000.0, true, false, nil, "s"]])
        #expect(v["a"]?[2]?.intValue == Int64.max)
        #expect(v["a"]?[6]?.boolValue == true)
        #expect(v["a"]?[0]?.boolValue == nil)
    }

    @Test("integers beyond Int64 become doubles instead of failing")
    func bigIntegers() throws {
        #expect(try JSONValue(parsing: "92233720368547758070") == .double(9.2233720368547758070e19))
    }

    @Test("decodes escapes, \\u escapes and surrogate pairs")
    func escapes() throws {
        let v = try JSONValue(parsing: #"["a\"b\\c\/d\n\t", "\u00e9\u20ac", "\ud83d\ude00", "plain é"]"#)
        #expect(v == ["a\"b\\c/d\n\t", "é€", "😀", "plain é"])
    }

    @Test("rejects invalid JSON with a position", arguments: [
        "", "{", "[1,]", "{\"a\" 1}", "01", "1.", "tru", "\"abc", "[1] 2", "{\"a\":1,}", "\"\u{01}\"", "-",
    ])
    func rejects(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: text) }
    }

    @Test("rejects nesting deeper than 512 levels instead of overflowing the stack")
    func deepNesting() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: deep) }
        let ok = String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
        #expect((try? JSONValue(parsing: ok)) != nil)
    }

    @Test("serializes compactly with sorted keys and escapes, and round-trips")
    func serializes() throws {
        let v: JSONValue = ["b": [1, 2.5, true, nil], "a": "x\"y\n\u{01}", "c": ["replayId": .int(.max)]]
        let text = String(decoding: v.serialized(), as: UTF8.self)
        #expect(text == #"{"a":"x\"y\n\u0001","b":[1,2.5,true,null],"c":{"replayId":9223372036854775807}}"#)
        #expect(try JSONValue(parsing: v.serialized()) == v)
        #expect(JSONValue.double(.infinity).description == "null")
    }

    @Test("Codable conformance round-trips through JSONEncoder/JSONDecoder")
    func codable() throws {
        let v: JSONValue = ["a": [1, 2.5, true, nil, "s"], "n": .int(1_234_567_890_123)]
        let data = try JSONEncoder().encode(v)
        #expect(try JSONDecoder().decode(JSONValue.self, from: data) == v)
    }

    @Test("a 1000-event batch parses completely (linear parser)")
    func largeBatch() throws {
        let events = (0..<1000).map { i in
            #"{"channel":"/topic/T","data":{"event":{"replayId":\#(i)},"sobject":{"Name":"n\#(i)"}}}"#
        }
        let v = try JSONValue(parsing: "[" + events.joined(separator: ",") + "]")
        #expect(v.arrayValue?.count == 1000)
        #expect(v[999]?["data"]?["event"]?["replayId"] == 999)
    }
}

@Suite("ReplayID and ReplayPosition")
struct ReplayIDTests {
    @Test("storage text of an integer is its digits and restores the integer (Python int compatible)")
    func integerStorage() {
        let id = ReplayID(.int(123))
        #expect(id.storageText == "123")
        #expect(ReplayID(storageText: "123") == id)
        #expect(ReplayID(storageText: "123")?.value == .int(123))
    }

    @Test("string IDs round-trip through JSON text; non-JSON text is kept as an opaque string")
    func opaqueStorage() {
        let id = ReplayID(.string("AAAB-1"))
        #expect(id.storageText == #""AAAB-1""#)
        #expect(ReplayID(storageText: id.storageText) == id)
        #expect(ReplayID(storageText: "AAAB-1") == id)
        #expect(ReplayID(storageText: "") == nil)
        #expect(ReplayID(storageText: "null") == nil)
    }

    @Test("positions map to -1, -2 and the ID itself")
    func positions() {
        #expect(ReplayPosition.newEvents.jsonValue == -1)
        #expect(ReplayPosition.allRetained.jsonValue == -2)
        #expect(ReplayPosition.after(ReplayID(.int(42))).jsonValue == 42)
    }
}

@Suite("BackoffPolicy")
struct BackoffPolicyTests {
    @Test("the ceiling grows by the factor and is capped at the maximum")
    func ceilings() {
        let p = BackoffPolicy()
        #expect((0..<8).map { p.ceiling(forAttempt: $0) } == [
            .milliseconds(500), .seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(16), .seconds(30), .seconds(30),
        ])
        #expect(p.ceiling(forAttempt: 10_000) == .seconds(30))
    }

    @Test("full jitter: the delay is the random fraction of the ceiling")
    func jitter() {
        #expect(BackoffPolicy(random: { 0.25 }).delay(forAttempt: 2) == .milliseconds(500))
        #expect(BackoffPolicy(random: { 7 }).delay(forAttempt: 1) == .seconds(1))
        #expect(BackoffPolicy(random: { 0 }).delay(forAttempt: 3) == .zero)
    }
}
