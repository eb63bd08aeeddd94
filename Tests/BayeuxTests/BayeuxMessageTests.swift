import Foundation
import Testing
@testable import Bayeux

@Suite("BayeuxMessage decoding")
struct BayeuxMessageTests {
    @Test("decodes an array batch in order, ignoring unknown fields")
    func batch() throws {
        let body = Data(#"""
        [{"channel":"/meta/connect","successful":true,"id":"7","clientId":"c1","advice":{"reconnect":"retry","interval":0,"timeout":110000},"unknown":{"x":1}},
         {"channel":"/topic/A","data":{"event":{"replayId":13,"type":"created"},"sobject":{"Id":"a00"}}}]
        """#.utf8)
        let (messages, skipped) = try BayeuxMessage.decodeBatch(body)
        #expect(skipped == 0)
        #expect(messages.map(\.channel) == ["/meta/connect", "/topic/A"])
        #expect(messages[0].isMeta && !messages[1].isMeta)
        #expect(messages[0].advice == BayeuxAdvice(reconnect: .retry, interval: 0, timeout: 110_000))
        #expect(messages[0].id == "7" && messages[0].clientId == "c1" && messages[0].successful == true)
        #expect(messages[1].replayID == ReplayID(.int(13)))
    }

    @Test("a reply's event data is kept as checked text; taking it moves it out: the taker has it, and the message has none")
    func checkedPayload() throws {
        var messages = try BayeuxMessage.decodeBatch(Data(#"[{"channel":"/topic/A","data":{"event":{"replayId":13},"sobject":{"Id":"a00"}}},{"channel":"/topic/A","data":{"event":{"replayId":14}}}]"#.utf8)).messages
        guard case .checked(_, let index)? = messages[1].payload else { Issue.record("data decoded while reading the reply"); return }
        #expect(index == 1)
        let taken = messages[0].takeEvent().payload
        #expect(taken?.member(at: ["sobject", "Id"]) == "a00")
        #expect(taken?.lazy.member(at: ["sobject", "Id"]) == "a00")
        #expect(taken?.decoded == ["event": ["replayId": 13], "sobject": ["Id": "a00"]])
        #expect(messages[0].payload == nil && messages[0].data == nil)
        #expect(messages[0].takeEvent().payload == nil)
        #expect(messages[1].replayID == ReplayID(.int(14)))
    }

    @Test("taking an event moves its channel, client ID and payload out of the message, leaving it empty of them")
    func takeEvent() throws {
        var messages = try BayeuxMessage.decodeBatch(Data(#"[{"channel":"/meta/connect","clientId":"c1","successful":true},{"channel":"/topic/Invoices","clientId":"c1","data":{"event":{"replayId":13}}}]"#.utf8)).messages
        let taken = messages[1].takeEvent()
        #expect(taken.channel == "/topic/Invoices" && taken.clientId == "c1")
        #expect(taken.payload?.member(at: ["event", "replayId"]) == 13)
        #expect(messages[1].channel.isEmpty && messages[1].clientId == nil && messages[1].payload == nil)
        let again = messages[1].takeEvent()
        #expect(again.channel.isEmpty && again.clientId == nil && again.payload == nil)
    }

    @Test("member names written with escapes read the same as plain ones (the fast path matches only plain bytes)")
    func escapedMemberNames() throws {
        let plain = try BayeuxMessage.decodeBatch(Array(#"[{"channel":"/topic/A","data":{"event":{"replayId":13}}}]"#.utf8)).messages
        let escaped = try BayeuxMessage.decodeBatch(Array(#"[{"\u0063hannel":"/topic/A","d\u0061ta":{"event":{"replayId":13}}}]"#.utf8)).messages
        #expect(escaped.map(\.channel) == ["/topic/A"])
        #expect(escaped.map(\.replayID) == plain.map(\.replayID))
        #expect(escaped[0].data == plain[0].data)
        let prefixes = try BayeuxMessage.decodeBatch(Array(#"[{"channels":"x","dat":1,"channel":"/topic/B"}]"#.utf8)).messages
        #expect(prefixes.map(\.channel) == ["/topic/B"] && prefixes[0].data == nil, "a longer or shorter name is not taken for channel or data")
    }

    @Test("decodes a single message object")
    func single() throws {
        let (messages, _) = try BayeuxMessage.decodeBatch(Data(#"{"channel":"/meta/subscribe","successful":true,"subscription":["/topic/A"]}"#.utf8))
        #expect(messages.count == 1)
        #expect(messages[0].subscription == "/topic/A")
    }

    @Test("a malformed message in a batch is skipped without dropping the others")
    func malformedElement() throws {
        let (messages, skipped) = try BayeuxMessage.decodeBatch(Data(#"[{"channel":"/topic/A","data":{}}, 42, {"nochannel":true}, {"channel":"/topic/B","successful":"yes"}]"#.utf8))
        #expect(messages.map(\.channel) == ["/topic/A", "/topic/B"])
        #expect(messages[1].successful == nil)
        #expect(skipped == 2)
    }

    @Test("the batch reader gives the same messages as decoding the JSON value, whitespace, repeats and all")
    func readerMatchesValueDecoding() throws {
        let text = #"""
         [ {"channel" : "/topic/A", "data":{"event":{"replayId":1}}, "id": 5, "channel":"/topic/B"} ,
           {"channel":"/topic/B","data":{"sobject":{"Name":"x\u00e9","Name":"y"}},"clientId":"c","clientId":7},
           {"channel":"/topic/B","channel":3}, [], {},
           {"ext":{"sfdc":{"failureReason":"401::Authentication invalid"}},"error":"403::Handshake denied","channel":"/meta/handshake","successful":false} ]
        """#
        let (messages, skipped) = try BayeuxMessage.decodeBatch(Data(text.utf8))
        let expected = try #require(try JSONValue(parsing: text).arrayValue).compactMap(BayeuxMessage.init(json:))
        #expect(messages == expected)
        #expect(skipped == 3, "a channel that is not a string, an array and an empty object are not messages")
        #expect(messages.map(\.channel) == ["/topic/B", "/topic/B", "/meta/handshake"], "a repeated field: the last wins")
        #expect(messages[0].id == "5" && messages[1].clientId == nil)
        #expect(messages[1].data?["sobject"]?["Name"] == "y")
        #expect(messages[2].errorCode == 401)
    }

    @Test("an empty array is an empty batch; truncated or trailing text throws")
    func batchEdges() throws {
        #expect(try BayeuxMessage.decodeBatch(Data(" [ ] ".utf8)).messages.isEmpty)
        #expect(throws: (any Error).self) { try BayeuxMessage.decodeBatch(Data(#"[{"channel":"/topic/A"}"#.utf8)) }
        #expect(throws: (any Error).self) { try BayeuxMessage.decodeBatch(Data(#"[{"channel":"/topic/A"}] x"#.utf8)) }
        #expect(throws: (any Error).self) { try BayeuxMessage.decodeBatch(Data(#"[{"channel":"/topic/A",}]"#.utf8)) }
        #expect(throws: (any Error).self) { try BayeuxMessage.decodeBatch(Data(#"{"channel":"/topic/A"} {}"#.utf8)) }
        #expect(throws: (any Error).self) { try BayeuxMessage.decodeBatch(Data(#"{"nochannel":1}"#.utf8)) }
    }

    @Test("protocol fields set one by one, or cleared again, make the same message as the initializer")
    func protocolFieldsAreValues() {
        var built = BayeuxMessage(channel: "/meta/connect")
        built.error = "403::Unknown client"
        built.advice = BayeuxAdvice(reconnect: .handshake, interval: 0, timeout: nil)
        built.ext = ["replay": true]
        built.connectionType = "long-polling"
        let direct = BayeuxMessage(channel: "/meta/connect", error: "403::Unknown client",
                                   advice: BayeuxAdvice(reconnect: .handshake, interval: 0, timeout: nil),
                                   ext: ["replay": true], connectionType: "long-polling")
        #expect(built == direct && built.hashValue == direct.hashValue)
        var copy = built
        copy.error = nil
        #expect(built.error == "403::Unknown client", "a copy's change does not reach the original")
        copy.advice = nil
        copy.ext = nil
        copy.connectionType = nil
        #expect(copy == BayeuxMessage(channel: "/meta/connect") && copy.hashValue == BayeuxMessage(channel: "/meta/connect").hashValue)
    }

    @Test("a body that is not JSON, or not an array/object, throws")
    func invalidBodies() {
        #expect(throws: (any Error).self) { try BayeuxMessage.decodeBatch(Data("<html>".utf8)) }
        #expect(throws: (any Error).self) { try BayeuxMessage.decodeBatch(Data("12".utf8)) }
    }

    @Test("errorCode prefers ext.sfdc.failureReason over error")
    func failureReason() {
        let m = BayeuxMessage(channel: "/meta/handshake", successful: false, error: "403::Handshake denied",
                              ext: ["sfdc": ["failureReason": "401::Authentication invalid"]])
        #expect(m.failureReason == "401::Authentication invalid")
        #expect(m.errorCode == 401)
        #expect(BayeuxMessage(channel: "/meta/connect", error: "403::Unknown client").errorCode == 403)
        #expect(m.errorSummary == "403::Handshake denied (401::Authentication invalid)")
    }

    @Test("error texts split into code, arguments and a message that may contain colons")
    func errorText() {
        let faye = BayeuxErrorText("401:abc123:Unknown client")
        #expect(faye.code == 401 && faye.arguments == ["abc123"] && faye.message == "Unknown client")
        let sf = BayeuxErrorText("400::API version in the URI is mandatory. URI format: '/cometd/67.0'")
        #expect(sf.code == 400 && sf.arguments.isEmpty && sf.message == "API version in the URI is mandatory. URI format: '/cometd/67.0'")
        #expect(BayeuxErrorText("413 Maximum Request Size Exceeded").code == 413)
        #expect(BayeuxErrorText("oops").code == nil)
    }

    @Test("error text codes and messages are trimmed of spaces and tabs, not of line breaks")
    func errorTextTrimming() {
        let spaced = BayeuxErrorText(" \t403 ::Unknown client")
        #expect(spaced.code == 403 && spaced.message == "Unknown client")
        let status = BayeuxErrorText("413\u{00A0} Maximum Request Size Exceeded\t ")
        #expect(status.code == 413 && status.message == "Maximum Request Size Exceeded")
        #expect(BayeuxErrorText("500 \nfailed\n").message == "\nfailed\n")
        #expect(BayeuxErrorText("\n403::x").code == nil)
        #expect(BayeuxErrorText("429   ").message == "")
    }

    @Test("jsonValue writes the set fields back")
    func jsonValue() {
        let m = BayeuxMessage(channel: "/meta/connect", id: "1", clientId: "c", connectionType: "long-polling")
        #expect(m.jsonValue == ["channel": "/meta/connect", "id": "1", "clientId": "c", "connectionType": "long-polling"])
        #expect(BayeuxMessage(json: m.jsonValue) == m)
    }
}
