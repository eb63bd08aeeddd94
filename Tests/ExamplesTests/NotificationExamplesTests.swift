import Examples
import Foundation
import Redis
import SalesforceSimulator
import SalesforceStreaming
import ServiceKit
import ServiceKitTesting
import TestSupport
import Testing

/// The seed's notification examples, run end to end against the simulated org: each declares its
/// PushTopic, and record changes made in the org reach (or, by the PushTopic's rules, do not reach)
/// its handler.
@Suite("Notification examples against the simulated org")
struct NotificationExamplesTests {
    static let other = SimulatedUser.other.username

    struct Running<S: Service> {
        let harness: StreamingTestHarness<S>
        let logs: LogCapture
        var org: SimulatedOrg { harness.org }
    }

    /// Starts `S` against a fresh org and waits until it subscribed to `/topic/<topic>`.
    func start<S: Service>(_ type: S.Type, topic: String, configuration: ServiceConfiguration? = nil) async throws -> Running<S> {
        let logs = LogCapture()
        let org = SimulatedOrg(configuration: SimulatorConfiguration(pollTimeout: .seconds(2)))
        let harness = try await StreamingTestHarness(S.self, configuration: configuration, org: org, logger: logs.logger())
        try await harness.container.start()
        try await org.waitForSubscribers(on: "/topic/\(topic)")
        return Running(harness: harness, logs: logs)
    }

    func published(_ org: SimulatedOrg, on topic: String) async -> Int {
        await org.stats().channel("/topic/\(topic)")?.published ?? 0
    }

    @Test("handle_notification declares ContactUpdates from its query and hands the handler the topic name and notification")
    func contactUpdates() async throws {
        let run = try await start(ContactUpdatesService.self, topic: "ContactUpdates")
        let topic = try await run.org.query("SELECT Id, Query, NotifyForFields, NotifyForOperationDelete FROM PushTopic WHERE Name = 'ContactUpdates'")
        #expect(topic.first?["Query"] == "SELECT Id, Name, Email FROM Contact")
        #expect(topic.first?["NotifyForFields"] == "All")
        #expect(topic.first?["NotifyForOperationDelete"] == true)
        try await run.org.createRecord("Contact", fields: ["LastName": "Lovelace"], as: Self.other)
        let workers = try await run.harness.waiter.wait(for: 1)
        #expect(workers.first?.contextData["channel"] == "/topic/ContactUpdates")
        #expect(run.logs.count(.info, containing: "ContactUpdates: contact Lovelace created") == 1)
        await run.harness.stop()
    }

    @Test("an existing ContactUpdates topic with another query is updated at start, not duplicated")
    func updatesExistingTopic() async throws {
        let org = SimulatedOrg(configuration: SimulatorConfiguration(pollTimeout: .seconds(2)))
        try await org.createRecord("PushTopic", fields: ["Name": "ContactUpdates", "Query": "SELECT Id, Name FROM Contact",
                                                         "ApiVersion": 64.0])
        let harness = try await StreamingTestHarness(ContactUpdatesService.self, org: org)
        try await harness.container.start()
        let topics = try await org.query("SELECT Id, Query FROM PushTopic WHERE Name = 'ContactUpdates'")
        #expect(topics.count == 1)
        #expect(topics.first?["Query"] == "SELECT Id, Name, Email FROM Contact")
        await harness.stop()
    }

    @Test("the seed's options: only first/last name changes of existing contacts notify")
    func contactNameOptions() async throws {
        let run = try await start(ContactNameService.self, topic: "ContactNameUpdated")
        let id = try await run.org.createRecord("Contact", fields: ["FirstName": "Ada", "LastName": "Byron"], as: Self.other)
        try await run.org.updateRecord(id, fields: ["Email": "ada@example.com"], as: Self.other)
        try await run.org.updateRecord(id, fields: ["LastName": "Lovelace"], as: Self.other)
        try await run.org.deleteRecord(id, as: Self.other)
        try await run.harness.waiter.wait(for: 1)
        #expect(await published(run.org, on: "ContactNameUpdated") == 1, "create, email change and delete do not notify")
        #expect(run.logs.count(.info, containing: "ContactNameUpdated: contact renamed to Ada Lovelace") == 1)
        await run.harness.stop()
    }

    @Test("handle_sobject_notification builds the Contact topic and passes sObject type and record type")
    func contactChanges() async throws {
        let run = try await start(ContactChangesService.self, topic: "Contact")
        let topic = try await run.org.query("SELECT Query FROM PushTopic WHERE Name = 'Contact'")
        #expect(topic.first?["Query"] == "SELECT Id, Name, LastModifiedById, LastModifiedDate FROM Contact WHERE LastModifiedById != '005000000000001AAA'")
        let id = try await run.org.createRecord("Contact", fields: ["LastName": "Hopper"], as: Self.other)
        try await run.harness.waiter.wait(for: 1)
        #expect(run.logs.count(.info, containing: "Contact \(id) created") == 1)
        await run.harness.stop()
    }

    @Test("excludeCurrentUser: the service's own change through SalesforceAPI does not notify it; another user's change does")
    func studentContactsExcludeCurrentUser() async throws {
        let run = try await start(StudentContactService.self, topic: "ContactStudent")
        let student = try #require(try await run.org.query("SELECT Id FROM RecordType WHERE SobjectType = 'Contact' AND DeveloperName = 'Student'").first?["Id"]?.stringValue)
        let id = try await run.org.createRecord("Contact", fields: ["LastName": "lovelace", "RecordTypeId": .string(student)], as: Self.other)
        let teacher = try await run.org.createRecord("Contact", fields: ["LastName": "turing"], as: Self.other)
        try await run.org.updateRecord(teacher, fields: ["LastName": "babbage"], as: Self.other)   // not a Student: no notification
        try await run.org.updateRecord(id, fields: ["LastName": "byron"], as: Self.other)          // notifies; the handler capitalizes it
        try await run.harness.waiter.wait(for: 1)
        #expect(await run.org.record(id)?["LastName"] == "Byron", "the handler wrote through the SalesforceAPI dependency")
        try await run.org.updateRecord(id, fields: ["LastName": "king"], as: Self.other)           // notifies again
        try await run.harness.waiter.wait(for: 2)
        #expect(await run.org.record(id)?["LastName"] == "King")
        // Two changes by another user notified; the service's own two updates (Byron, King) did not.
        #expect(await published(run.org, on: "ContactStudent") == 2)
        #expect(await run.harness.waiter.finished.count == 2)
        await run.harness.stop()
    }

    @Test("the event proxy: a Lead created in the org arrives as salesforce_lead_created in Redis and a second service consumes it")
    func eventProxy() async throws {
        let port = 16397
        let uri = try await RedisTestServer.shared(port: port)
        let db = "\(uri.dropLast(2))/5"
        let redis = RedisConnection(configuration: try RedisConfiguration(uri: db))
        try await redis.command(["FLUSHDB"])
        var yaml = StreamingTestHarness<SalesforceEventProxy>.defaultConfiguration(user: .demo).root
        if case .mapping(var root) = yaml {
            root["EVENTS"] = .mapping(["REDIS_URI": .string(db)])
            yaml = .mapping(root)
        }
        let configuration = ServiceConfiguration(yaml)

        let consumerWaiter = WorkerWaiter()
        var consumerEnvironment = ContainerEnvironment()
        consumerEnvironment[WorkerObserverKey.self] = consumerWaiter.observer
        let consumer = try ServiceContainer(LeadFollowUpService.self, configuration: configuration, environment: consumerEnvironment)
        try await consumer.start()

        let proxy = try await start(SalesforceEventProxy.self, topic: "Lead", configuration: configuration)
        try await proxy.org.waitForSubscribers(on: "/topic/Opportunity")
        try await proxy.org.createRecord("Lead", fields: ["LastName": "Lovelace", "Company": "Analytical Engines"], as: Self.other)
        try await proxy.org.createRecord("Opportunity", fields: ["Name": "Engine", "StageName": "Prospecting", "CloseDate": "2026-12-01"],
                                         as: Self.other)
        try await proxy.harness.waiter.wait(for: 2)

        let entries = try await redis.command(["XRANGE", "salesforce-proxy.events", "-", "+"]).arrayValue ?? []
        let types = entries.compactMap { entry -> String? in
            let fields = entry.arrayValue?.last?.arrayValue?.compactMap(\.stringValue) ?? []
            return fields.firstIndex(of: "type").map { fields[$0 + 1] }
        }
        #expect(Set(types) == ["salesforce_lead_created", "salesforce_opportunity_created"])

        let consumed = try await consumerWaiter.wait(for: 1, timeout: .seconds(10))
        #expect(consumed.first?.succeeded == true)
        #expect(consumed.first?.contextData["event_type"] == "salesforce_lead_created")
        await proxy.harness.stop()
        await consumer.stop()
        await redis.close()
    }
}
