import Bayeux
import Testing
@testable import SalesforceStreaming

@Suite("StreamingEvent")
struct StreamingEventTests {
    static let reply = #"[{"channel":"/topic/Invoices","data":{"event":{"createdDate":"2016-03-29T16:40:08.208Z","replayId":13,"type":"updated"},"sobject":{"Name":"INV-0001","Id":"a00D0000008o6y8IAA","Address":{"City":"Paris"}}}}]"#

    /// An event as the streaming client hands it to a handler: its data still the reply's checked text.
    static func eventFromReply() throws -> StreamingEvent {
        var messages = try BayeuxMessage.decodeBatch(Array(reply.utf8)).messages
        let taken = messages[0].takeEvent().payload
        let payload = try #require(taken)
        return StreamingEvent(channel: "/topic/Invoices", data: payload.lazy, replayID: payload.replayID)
    }

    @Test("value(at:) reads what subscripting data reads, from the reply's text and from a decoded value alike")
    func valueAtPath() throws {
        let decoded = try #require(try Self.eventFromReply().data["sobject"])
        for event in [try Self.eventFromReply(), StreamingEvent(channel: "/topic/Invoices", data: try Self.eventFromReply().data)] {
            #expect(event.value(at: "sobject", "Name") == "INV-0001")
            #expect(event.value(at: "sobject", "Address", "City") == "Paris")
            #expect(event.value(at: "event", "replayId") == 13)
            #expect(event.value(at: "sobject") == decoded)
            #expect(event.value(at: "sobject", "Missing") == nil)
            #expect(event.value(at: "sobject", "Name", "deeper") == nil, "a level that is not an object")
        }
    }

    @Test("after more different paths than the event keeps, value(at:) answers from the decoded data, unchanged")
    func manyPaths() throws {
        let event = try Self.eventFromReply()
        let paths = [["sobject", "Name"], ["sobject", "Id"], ["event", "type"], ["event", "createdDate"], ["sobject", "Address", "City"]]
        let expected: [JSONValue] = ["INV-0001", "a00D0000008o6y8IAA", "updated", "2016-03-29T16:40:08.208Z", "Paris"]
        // The first four are read from the text and kept; the fifth decodes the whole data.
        for _ in 0..<2 {
            #expect(event.value(at: "sobject", "Name") == expected[0])
            #expect(event.value(at: "sobject", "Id") == expected[1])
            #expect(event.value(at: "event", "type") == expected[2])
            #expect(event.value(at: "event", "createdDate") == expected[3])
            #expect(event.value(at: "sobject", "Address", "City") == expected[4])
        }
        for (path, value) in zip(paths, expected) {
            var current: JSONValue? = event.data
            for name in path { current = current?[name] }
            #expect(current == value)
        }
    }
}
