import Foundation
import Testing
@testable import JSON

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

    @Test("integers read on the short path (up to 18 digits) and the full one agree at every length and sign")
    func integerLengths() throws {
        for length in 1...19 {
            let digits = String(repeating: "9", count: length)
            for text in [digits, "-" + digits, "[" + digits + "]", "-" + digits + ".5", digits + "e1", digits + "E-1"] {
                #expect(try JSONValue(parsing: text) == expectedNumber(text), "\(text)")
            }
            #expect(throws: JSONParseError.self, "leading zero, \(length) digits") { try JSONValue(parsing: "0" + digits) }
            #expect(throws: JSONParseError.self, "negative leading zero") { try JSONValue(parsing: "-0" + digits) }
        }
        #expect(try JSONValue(parsing: "0") == .int(0))
        #expect(try JSONValue(parsing: "-0") == .int(0))
        #expect(try JSONValue(parsing: "[-0,0]") == [.int(0), .int(0)])
        #expect(try JSONValue(parsing: "999999999999999999") == .int(999_999_999_999_999_999))
        #expect(try JSONValue(parsing: "-999999999999999999") == .int(-999_999_999_999_999_999))
    }

    /// What a number's text means: an exact integer when it has no fraction or exponent and fits
    /// in Int64, a double otherwise.
    private func expectedNumber(_ text: String) -> JSONValue {
        let trimmed = text.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        let value: JSONValue = Int64(trimmed).map(JSONValue.int) ?? .double(Double(trimmed)!)
        return text.hasPrefix("[") ? [value] : value
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
