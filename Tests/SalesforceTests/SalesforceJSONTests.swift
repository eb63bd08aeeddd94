import Foundation
import Testing
@testable import Salesforce

@Suite("SalesforceJSON")
struct SalesforceJSONTests {
    @Test("decodes every JSON kind, keeping booleans and numbers apart")
    func decode() throws {
        let json = #"{"b":true,"n":1,"f":2.5,"s":"x","z":null,"a":[false,0],"o":{"k":"v"}}"#
        let value = try JSONDecoder().decode(SalesforceJSON.self, from: Data(json.utf8))
        #expect(value == ["b": true, "n": 1, "f": 2.5, "s": "x", "z": nil, "a": [false, 0], "o": ["k": "v"]])
        #expect(value["b"]?.boolValue == true)
        #expect(value["n"]?.numberValue == 1)
        #expect(value["s"]?.stringValue == "x")
        #expect(value["a"]?.arrayValue?.count == 2)
        #expect(value["o"]?.objectValue?["k"] == "v")
        #expect(value["missing"] == nil)
    }

    @Test("encoding round-trips")
    func roundTrip() throws {
        let value: SalesforceJSON = ["Name": "Acme \"Q\"", "Count": 3, "Active": false, "Tags": ["a", nil]]
        let data = try JSONEncoder().encode(value)
        #expect(try JSONDecoder().decode(SalesforceJSON.self, from: data) == value)
    }
}
