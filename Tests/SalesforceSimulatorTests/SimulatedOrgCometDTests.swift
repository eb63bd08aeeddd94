import Foundation
import HTTPTransport
import TestSupport
import Testing
@testable import SalesforceSimulator

@Suite("Streaming API (CometD)")
struct SimulatedOrgCometDTests {
    typealias C = TestStreamingClient

    @Test("handshake replies with replay ext, long-polling only, and sets BAYEUX_BROWSER")
    func handshake() async throws {
        var client = C(org: C.makeOrg())
        try await client.login()
        let reply = try await client.handshake()
        #expect(reply["successful"] == true)
        #expect(reply["ext"] == ["replay": true, "payload.format": true])
        #expect(reply["supportedConnectionTypes"] == ["long-polling"])
        #expect(reply["clientId"]?.stringValue?.isEmpty == false)
        #expect(client.http.cookies["BAYEUX_BROWSER"] != nil)
    }

    @Test("first connect answers at once with advice; later connects carry none")
    func firstConnectAdvice() async throws {
        var client = C(org: C.makeOrg(pollTimeout: .milliseconds(300)))
        try await client.login()
        _ = try await client.handshake()
        let first = try await client.connect()
        #expect(first[0]["advice"] == ["interval": 0, "timeout": 300, "reconnect": "retry"])
        #expect(first[0]["successful"] == true)
        let second = try await client.connect()
        #expect(second[0]["advice"] == nil)
        #expect(second[0]["successful"] == true)
    }

    @Test("a held connect returns when an event is published, with the event after the reply")
    func longPollReturnsOnPublish() async throws {
        let org = C.makeOrg(pollTimeout: .seconds(20))
        var client = C(org: org)
        try await client.start()
        #expect(try await client.subscribe("/topic/Invoices")["successful"] == true)
        var poller = client
        let poll = Task { try await poller.connect() }
        try await Task.sleep(for: .milliseconds(100))
        let id = try await org.publish(.invoice(1), to: "/topic/Invoices")
        let replies = try #require(try await value(of: poll, within: .seconds(10)), "the held connect is answered")
        #expect(replies[0]["channel"] == "/meta/connect")
        let event = try #require(C.events(replies).first)
        #expect(event["channel"] == "/topic/Invoices")
        #expect(event["data"]?["event"]?["replayId"]?.intValue == id)
        #expect(event["data"]?["event"]?["type"] == "created")
        #expect(event["data"]?["sobject"] == ["Id": "a001", "Name": "INV-1"])
        #expect(event["data"]?["event"]?["createdDate"]?.stringValue?.hasSuffix("Z") == true)
    }

    @Test("a held connect returns empty after pollTimeout")
    func longPollTimesOut() async throws {
        var client = C(org: C.makeOrg(pollTimeout: .milliseconds(300)))
        try await client.start()
        let start = ContinuousClock.now
        let replies = try await client.connect()
        #expect(ContinuousClock.now - start >= .milliseconds(250))
        #expect(replies.count == 1 && replies[0]["successful"] == true)
    }

    @Test("replay -1 gets only new events, -2 all retained, an ID the events after it")
    func replayOptions() async throws {
        let org = C.makeOrg(pollTimeout: .milliseconds(200))
        let ids = try await org.publish([.invoice(1), .invoice(2), .invoice(3)], to: "/topic/Invoices")
        for (replay, expected) in [(JSONValue.int(-1), [Int64]()), (-2, ids), (.int(ids[0]), Array(ids[1...]))] {
            var client = C(org: org)
            try await client.start()
            #expect(try await client.subscribe("/topic/Invoices", replay: replay)["successful"] == true)
            #expect(C.replayIDs(try await client.connect()) == expected, "replay \(replay)")
        }
    }

    @Test("a replay ID outside retention answers Salesforce's exact 400 error")
    func replayOutsideRetention() async throws {
        let org = C.makeOrg(retention: 2)
        let ids = try await org.publish([.invoice(1), .invoice(2), .invoice(3)], to: "/topic/Invoices")
        var client = C(org: org)
        try await client.start()
        let reply = try await client.subscribe("/topic/Invoices", replay: .int(ids[0]))
        #expect(reply["successful"] == false)
        #expect(reply["error"] == .string("400::The replayId {\(ids[0])} you provided was invalid. Please provide a valid ID, -2 to replay all events, or -1 to replay only new events."))
        #expect(reply["subscription"] == "/topic/Invoices")
        #expect(try await client.subscribe("/topic/Invoices", replay: 999)["successful"] == false)
        #expect(try await client.subscribe("/topic/Invoices", replay: .int(ids[1]))["successful"] == true)
    }

    @Test("events older than retentionAge are purged: replaying from them is invalid, -2 skips them")
    func retentionAge() async throws {
        let org = C.makeOrg(pollTimeout: .milliseconds(100), retentionAge: .milliseconds(150))
        let old = try await org.publish(.invoice(1), to: "/topic/Invoices")
        try await Task.sleep(for: .milliseconds(300))
        var client = C(org: org)
        try await client.start()
        #expect(try await client.subscribe("/topic/Invoices", replay: .int(old))["successful"] == false)
        #expect(try await client.subscribe("/topic/Invoices", replay: -2)["successful"] == true)
        #expect(C.replayIDs(try await client.connect()).isEmpty)
        #expect(await org.stats().channel("/topic/Invoices")?.retained == 0)
    }

    @Test("a replay map without the channel answers the 'wasn't found' error")
    func replayMapMissingChannel() async throws {
        var client = C(org: C.makeOrg(channels: ["/topic/Invoices", "/topic/Other"]))
        try await client.start()
        let reply = try await client.subscribe("/topic/Invoices", replayMap: ["/topic/Other": -1])
        #expect(reply["error"] == "400::The replayId for channel {/topic/Invoices} wasn't found using the provided replay ID map {{/topic/Other=-1}}. Ensure that the channel name you provided in the replay map is valid and matches the channel name used for subscribing.")
    }

    @Test("subscribing to a channel the org lacks answers the 400 'does not exist' error")
    func unknownChannel() async throws {
        var client = C(org: C.makeOrg())
        try await client.start()
        let reply = try await client.subscribe("/topic/Nope")
        #expect(reply["error"] == "400::The channel you requested to subscribe to does not exist {/topic/Nope}")
        #expect(try await client.subscribe("topic/X")["error"] == "400::Channel subscriptions must start with a leading '/'")
    }

    @Test("replay IDs with a stride are not contiguous and replay still works")
    func replayStride() async throws {
        let org = C.makeOrg(stride: 7)
        let ids = try await org.publish([.invoice(1), .invoice(2), .invoice(3)], to: "/topic/Invoices")
        #expect(ids[1] - ids[0] == 7)
        var client = C(org: org)
        try await client.start()
        _ = try await client.subscribe("/topic/Invoices", replay: .int(ids[1]))
        #expect(C.replayIDs(try await client.connect()) == [ids[2]])
    }

    @Test("a connect reply holds at most maxEventsPerReply events; the rest come next")
    func maxEventsPerReply() async throws {
        let org = C.makeOrg(maxEventsPerReply: 3)
        var client = C(org: org)
        try await client.start()
        _ = try await client.subscribe("/topic/Invoices")
        let ids = try await org.publish(count: 5, of: .invoice(1), to: "/topic/Invoices")
        #expect(C.replayIDs(try await client.connect()) == Array(ids[0..<3]))
        #expect(C.replayIDs(try await client.connect()) == Array(ids[3...]))
        #expect(await org.stats().channel("/topic/Invoices")?.delivered == 5)
    }

    @Test("requests without the BAYEUX_BROWSER cookie get the 400 error")
    func cookieEnforced() async throws {
        var client = C(org: C.makeOrg())
        try await client.start()
        client.http.clearCookies()
        let replies = try await client.connect()
        #expect(replies[0]["error"] == .string("400::Client {\(client.clientID)} has established a session, but no BAYEUX_BROWSER cookie present"))
        #expect(replies[0]["successful"] == false)
    }

    @Test("a client idle longer than clientTimeout is forgotten: 403::Unknown client, advice handshake")
    func clientTimeout() async throws {
        var client = C(org: C.makeOrg(clientTimeout: .milliseconds(100)))
        try await client.start()
        try await Task.sleep(for: .milliseconds(250))
        let reply = try await client.connect()[0]
        #expect(reply["error"] == "403::Unknown client")
        #expect(reply["advice"] == ["interval": 0, "reconnect": "handshake"])
        #expect(reply["successful"] == false)
    }

    @Test("an unknown client ID gets 403::Unknown client on subscribe too")
    func unknownClientOnSubscribe() async throws {
        var client = C(org: C.makeOrg())
        try await client.start()
        client.clientID = "nosuchclient"
        #expect(try await client.subscribe("/topic/Invoices")["error"] == "403::Unknown client")
    }

    @Test("missing or unknown tokens: handshake denied with failureReason; connect 401 with advice none")
    func authentication() async throws {
        let org = C.makeOrg()
        var client = C(org: org)
        let denied = try await client.handshake()
        #expect(denied["error"] == "403::Handshake denied")
        #expect(denied["ext"] == ["sfdc": ["failureReason": "401::Request requires authentication"]])
        #expect(denied["advice"]?["reconnect"] == "none")
        client.token = "bogus"
        #expect(try await client.handshake()["ext"] == ["sfdc": ["failureReason": "401::Authentication invalid"]])
        try await client.start()
        client.token = "bogus"
        let reply = try await client.connect()[0]
        #expect(reply["error"] == "401::Authentication invalid")
        #expect(reply["advice"] == ["reconnect": "none", "interval": 0])
    }

    @Test("the API version is mandatory and must be at least 37.0")
    func apiVersion() async throws {
        var client = C(org: C.makeOrg())
        try await client.login()
        client.version = "36.0"
        var (response, replies) = try await client.post([["channel": "/meta/handshake", "id": "1"]])
        #expect(response.status == 400)
        #expect(replies[0]["error"] == "400::Unsupported API version. Only API versions '37.0' and later are supported. URI format: '/cometd/67.0'")
        client.version = ""
        (response, replies) = try await client.post([["channel": "/meta/handshake", "id": "1"]])
        #expect(replies[0]["error"] == "400::API version in the URI is mandatory. URI format: '/cometd/67.0'")
    }

    @Test("several subscribes in one body, on a CometD sub-path, each get their own reply")
    func batchedSubscribes() async throws {
        let org = C.makeOrg(channels: ["/topic/A", "/topic/B"])
        var client = C(org: org)
        try await client.start()
        client.version = "64.0/meta/subscribe"
        let (_, replies) = try await client.post([
            ["channel": "/meta/subscribe", "clientId": .string(client.clientID), "subscription": "/topic/A", "id": "a"],
            ["channel": "/meta/subscribe", "clientId": .string(client.clientID), "subscription": "/topic/B", "id": "b"],
        ])
        #expect(replies.map { $0["id"] } == ["a", "b"])
        #expect(replies.allSatisfy { $0["successful"] == true })
        #expect(await org.stats().subscriptions == 2)
    }

    @Test("a CometD body over 32,768 bytes is refused with 413, as Salesforce does")
    func requestTooLarge() async throws {
        let org = C.makeOrg()
        let big = Data(("[" + String(repeating: " ", count: 40_000) + "]").utf8)
        let response = try await SimulatorHTTPClient(org: org).send(HTTPRequest(method: .post, url: "http://sim.test/cometd/64.0", body: big))
        #expect(response.status == 413)
        #expect(String(decoding: response.body, as: UTF8.self) == "Maximum Request Size Exceeded")
    }

    @Test("unsubscribe stops delivery; disconnect forgets the client")
    func unsubscribeAndDisconnect() async throws {
        let org = C.makeOrg(pollTimeout: .milliseconds(100))
        var client = C(org: org)
        try await client.start()
        _ = try await client.subscribe("/topic/Invoices")
        let (_, unsub) = try await client.post([["channel": "/meta/unsubscribe", "clientId": .string(client.clientID),
                                                 "subscription": "/topic/Invoices", "id": "u"]])
        #expect(unsub[0]["successful"] == true)
        try await org.publish(.invoice(1), to: "/topic/Invoices")
        #expect(C.events(try await client.connect()).isEmpty)
        let (_, bye) = try await client.post([["channel": "/meta/disconnect", "clientId": .string(client.clientID), "id": "d"]])
        #expect(bye[0]["successful"] == true)
        #expect(await org.stats().clients == 0)
    }

    @Test("event shapes: platform event, change event, generic")
    func eventShapes() async throws {
        let org = C.makeOrg(channels: ["/event/Low_Ink__e", "/data/AccountChangeEvent", "/u/Notes"])
        var client = C(org: org)
        try await client.start()
        for channel in ["/event/Low_Ink__e", "/data/AccountChangeEvent", "/u/Notes"] {
            #expect(try await client.subscribe(channel)["successful"] == true)
        }
        try await org.publish(.payload(["Printer__c": "P1"]), to: "/event/Low_Ink__e")
        try await org.publish(.payload(["Id": "001xx", "Name": "Acme"]), to: "/data/AccountChangeEvent")
        try await org.publish(.payload("hello"), to: "/u/Notes")
        var events: JSONObject = [:]
        while events.count < 3 {
            for e in C.events(try await client.connect()) { events[e["channel"]!.stringValue!] = e["data"] }
        }
        let pe = try #require(events["/event/Low_Ink__e"])
        #expect(pe["schema"]?.stringValue?.count == 22)
        #expect(pe["payload"]?["Printer__c"] == "P1")
        #expect(pe["payload"]?["CreatedById"] == "005000000000001AAA")
        #expect(pe["payload"]?["CreatedDate"] != nil)
        #expect(pe["event"]?["EventUuid"]?.stringValue?.count == 36)
        #expect(pe["event"]?["replayId"] == 1)
        let cdc = try #require(events["/data/AccountChangeEvent"])
        #expect(cdc["payload"]?["ChangeEventHeader"]?["entityName"] == "Account")
        #expect(cdc["payload"]?["ChangeEventHeader"]?["recordIds"] == ["001xx"])
        #expect(cdc["payload"]?["ChangeEventHeader"]?["changeType"] == "CREATE")
        #expect(cdc["payload"]?["Name"] == "Acme")
        #expect(cdc["event"]?["replayId"] == 1)
        let generic = try #require(events["/u/Notes"])
        #expect(generic["payload"] == "hello")
        #expect(generic["event"]?["replayId"] == 1)
        #expect(generic["event"]?["createdDate"] != nil)
    }

    @Test("publishing a body that does not fit the channel kind is refused")
    func publishValidation() async throws {
        let org = C.makeOrg(channels: ["/topic/Invoices", "/u/Notes"])
        await #expect(throws: SimulatorError.self) { try await org.publish(.payload("x"), to: "/topic/Invoices") }
        await #expect(throws: SimulatorError.self) { try await org.publish(.payload(["a": 1]), to: "/u/Notes") }
        await #expect(throws: SimulatorError.unknownChannel("/topic/Missing")) { try await org.publish(.invoice(1), to: "/topic/Missing") }
        await #expect(throws: SimulatorError.invalidChannelName("/bad")) { try await org.createChannel("/bad") }
    }
}
