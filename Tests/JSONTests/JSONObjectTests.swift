import Foundation
import Testing
@testable import JSON

@Suite("JSONObject")
struct JSONObjectTests {
    @Test("members keep the order they were read in; a repeated name keeps its place and the last value")
    func orderAndRepeatedNames() throws {
        let parsed = try JSONValue(parsing: #"{"b":1,"a":2,"b":3}"#)
        let object = try #require(parsed.objectValue)
        #expect(object.keys == ["b", "a"])
        #expect(object["b"] == 3)
        #expect(object.count == 2)
    }

    @Test("equality and hashing ignore member order, as for a JSON object")
    func orderInsensitiveEquality() throws {
        let ab: JSONObject = ["a": 1, "b": ["x": true]]
        let ba: JSONObject = ["b": ["x": true], "a": 1]
        #expect(ab == ba)
        #expect(ab.hashValue == ba.hashValue)
        #expect(Set([JSONValue.object(ab), .object(ba)]).count == 1)
        #expect(ab != ["a": 1, "b": ["x": false]])
        #expect(ab != ["a": 1])
        #expect(ab != ["a": 1, "b": ["x": true], "c": nil])
    }

    @Test("setting, replacing and removing members, below and above the size where it keeps an index")
    func mutation() {
        for size in [3, JSONObject.indexThreshold + 5] {
            var object = JSONObject()
            for n in 0..<size { object["k\(n)"] = .int(Int64(n)) }
            #expect(object.count == size)
            #expect((0..<size).allSatisfy { object["k\($0)"] == .int(Int64($0)) })
            object["k1"] = "replaced"
            #expect(object["k1"] == "replaced" && object.count == size && object.keys[1] == "k1")
            #expect(object.removeValue(forKey: "k0") == 0)
            object["k2"] = nil
            #expect(object["k0"] == nil && object["k2"] == nil && object.count == size - 2)
            // After a removal, every remaining member is still found where it is.
            #expect((3..<size).allSatisfy { object["k\($0)"] == .int(Int64($0)) })
            #expect(object["missing", default: "d"] == "d")
        }
    }

    @Test("merging keeps this object's order and appends new names; the closure decides repeated ones")
    func merging() {
        let merged = (["a": 1, "b": 2] as JSONObject).merging(["b": 20, "c": 30]) { _, new in new }
        #expect(merged.keys == ["a", "b", "c"])
        #expect(merged == ["a": 1, "b": 20, "c": 30])
        #expect(merged.mapValues { .int(($0.intValue ?? 0) + 1) } == ["a": 2, "b": 21, "c": 31])
    }

    @Test("round-trips through Codable and serializes with sorted names")
    func codableAndSerialization() throws {
        let object: JSONObject = ["z": 1, "a": ["n": nil], "m": "s"]
        let data = try JSONEncoder().encode(object)
        #expect(try JSONDecoder().decode(JSONObject.self, from: data) == object)
        #expect(JSONValue.object(object).description == #"{"a":{"n":null},"m":"s","z":1}"#)
        #expect(JSONObject(object.dictionary) == object)
    }
}
