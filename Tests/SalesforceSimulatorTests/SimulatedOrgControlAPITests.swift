import Foundation
import HTTPTransport
import Testing
@testable import SalesforceSimulator

@Suite("Control API over HTTP")
struct SimulatedOrgControlAPITests {
    let org = TestStreamingClient.makeOrg(channels: [])
    var http: SimulatorHTTPClient { SimulatorHTTPClient(org: org) }

    func call(_ method: HTTPMethod, _ path: String, _ body: JSONValue? = nil) async throws -> (Int, JSONValue) {
        let response = try await http.send(HTTPRequest(method: method, url: "http://sim.test" + path,
                                                       headers: [("Content-Type", "application/json")],
                                                       body: body?.serialized()))
        return (response.status, try JSONValue(parsing: response.body))
    }

    @Test("create a channel, publish one, many and count+template, read stats")
    func channelsEventsStats() async throws {
        var (status, json) = try await call(.post, "/simulator/channels", ["name": "/topic/Invoices"])
        #expect(status == 201 && json["kind"] == "pushTopic")
        (status, json) = try await call(.get, "/simulator/channels")
        #expect(json["channels"] == ["/topic/Invoices"])
        (status, json) = try await call(.post, "/simulator/events",
                                        ["channel": "/topic/Invoices", "event": ["sobject": ["Id": "a1"], "type": "updated"]])
        #expect(status == 200 && json["replayIds"] == [1])
        (status, json) = try await call(.post, "/simulator/events",
                                        ["channel": "/topic/Invoices", "events": [["sobject": ["Id": "a2"]], ["sobject": ["Id": "a3"]]]])
        #expect(json["replayIds"] == [2, 3])
        (status, json) = try await call(.post, "/simulator/events",
                                        ["channel": "/topic/Invoices", "count": 10, "template": ["sobject": ["Id": "a4"]]])
        #expect(json == ["count": 10, "firstReplayId": 4, "lastReplayId": 13])
        (status, json) = try await call(.get, "/simulator/stats")
        #expect(json["channels"]?.arrayValue?.first?["published"] == 13)
        #expect(json["requestsServed"] == 0)
    }

    @Test("bad requests: unknown channel 404, invalid name 400, bad event 400, unknown path 404")
    func errors() async throws {
        #expect(try await call(.post, "/simulator/events", ["channel": "/topic/None", "event": ["sobject": [:]]]).0 == 404)
        #expect(try await call(.post, "/simulator/channels", ["name": "/nope"]).0 == 400)
        _ = try await call(.post, "/simulator/channels", ["name": "/u/Notes"])
        #expect(try await call(.post, "/simulator/events", ["channel": "/u/Notes", "event": ["bogus": 1]]).0 == 400)
        #expect(try await call(.get, "/simulator/nothing").0 == 404)
        #expect(try await call(.get, "/simulator/faults").0 == 405)
    }

    @Test("faults are injected, listed as pending, and cleared")
    func faults() async throws {
        var (status, json) = try await call(.post, "/simulator/faults", ["fault": "httpError", "status": 503, "count": 2])
        #expect(status == 200 && json["faultsPending"] == ["httpError(status: 503, count: 2)"])
        (status, json) = try await call(.post, "/simulator/faults", ["fault": "dropNextLongPoll"])
        #expect(json["faultsPending"]?.arrayValue?.count == 2)
        (status, json) = try await call(.delete, "/simulator/faults")
        #expect(await org.stats().faultsPending.isEmpty)
        #expect(try await call(.post, "/simulator/faults", ["fault": "nope"]).0 == 400)
    }
}
