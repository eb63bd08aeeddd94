import Foundation
import SalesforceStreaming
import Testing

@Suite("PushTopicNotification")
struct PushTopicNotificationTests {
    let data = try! JSONValue(parsing: #"{"event":{"createdDate":"2016-03-29T16:40:08.208Z","replayId":13,"type":"updated"},"sobject":{"Name":"INV-0001","Id":"a00D0000008o6y8IAA","Status__c":"Open"}}"#)

    struct Invoice: Decodable, Equatable {
        let Id: String
        let Name: String
        let Status__c: String
    }

    @Test("event fields are typed and the record decodes into the user's struct; the raw JSON stays available")
    func typedFields() throws {
        let notification = PushTopicNotification(StreamingEvent(channel: "/topic/Invoices", data: data))
        #expect(notification.event.type == .updated)
        #expect(notification.event.type.description == "updated")
        #expect(notification.event.replayID == ReplayID(.int(13)))
        #expect(notification.event.date == Date(timeIntervalSince1970: 1_459_269_608.208))
        #expect(notification.sobject["Name"] == .string("INV-0001"))
        #expect(try notification.sobject(as: Invoice.self) == Invoice(Id: "a00D0000008o6y8IAA", Name: "INV-0001", Status__c: "Open"))
        #expect(notification.raw.data == data)
    }

    @Test("unknown event types are kept, not dropped")
    func unknownType() throws {
        let other = try JSONValue(parsing: #"{"event":{"type":"merged","replayId":1},"sobject":{}}"#)
        #expect(PushTopicNotification(StreamingEvent(channel: "/topic/X", data: other)).event.type == .other("merged"))
    }

    @Test("createdDate parses as ISO8601DateFormatter did: fractional seconds or not, Z or an offset")
    func createdDateForms() throws {
        let withFraction = ISO8601DateFormatter()
        withFraction.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        for text in ["2016-03-29T16:40:08.208Z", "2016-03-29T16:40:08Z", "2016-03-29T18:40:08.208+02:00",
                     "2016-03-29T11:40:08-05:00", "2016-03-29T16:40:08.5Z",
                     "2016-03-29T16:40:08.123456789Z", "2016-03-29T16:40:08.999Z", "1969-12-31T23:59:59.25Z"] {
            let data = try JSONValue(parsing: #"{"event":{"createdDate":"\#(text)","type":"created"},"sobject":{}}"#)
            let date = PushTopicNotification(StreamingEvent(channel: "/topic/X", data: data)).event.date
            let expected = withFraction.date(from: text) ?? ISO8601DateFormatter().date(from: text)
            #expect(date != nil, "\(text)")
            #expect(date == expected, "\(text)")
        }
        for text in ["", "yesterday", "2016-03-29", "2016-13-29T16:40:08Z", "2016-03-29T16:40:08.Z",
                     "2016-03-29T16:40:08.208", "2016-03-29.5T16:40:08Z"] {
            let data = try JSONValue(parsing: #"{"event":{"createdDate":"\#(text)","type":"created"},"sobject":{}}"#)
            #expect(PushTopicNotification(StreamingEvent(channel: "/topic/X", data: data)).event.date == nil, "\(text)")
        }
    }
}
