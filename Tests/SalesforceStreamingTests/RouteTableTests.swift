import Testing
@testable import SalesforceStreaming

/// The streaming loop finds each event's entrypoints through `RouteTable`, remembering the last
/// channel: these tests protect that the remembered answer is only used for the same channel.
@Suite("RouteTable")
struct RouteTableTests {
    actor Subscriber: StreamingSubscriber {
        nonisolated let channel: String
        init(_ channel: String) { self.channel = channel }
        nonisolated func deliver(_ attempt: DeliveryAttempt) async throws {}
        nonisolated func deliver(_ deliveries: [EventDelivery?]) async throws {}
    }

    @Test("routes looked up through the last-channel cache equal the table's, for channels in any order")
    func recentLookups() {
        let channels = ["/topic/A", "/topic/A?Status__c=Open", "/topic/B"]
        let subscribers: [String: [any StreamingSubscriber]] = Dictionary(uniqueKeysWithValues: channels.map { ($0, [Subscriber($0)]) })
        let table = RouteTable(channels: channels, subscribers: subscribers, tracker: nil)
        var recent = RouteTable.Recent()
        for channel in ["/topic/A", "/topic/A", "/topic/B", "/topic/A", "/topic/C", "/topic/C", "/topic/B", "/topic/A"] {
            let cached = table.routes(for: channel, recent: &recent).map(\.channel)
            #expect(cached == table.routes(for: channel).map(\.channel), "\(channel)")
        }
        #expect(table.routes(for: "/topic/A", recent: &recent).map(\.channel) == ["/topic/A", "/topic/A?Status__c=Open"],
                "a filtered subscription is delivered on its channel")
        #expect(table.routes(for: "/topic/C", recent: &recent).isEmpty)
    }
}
