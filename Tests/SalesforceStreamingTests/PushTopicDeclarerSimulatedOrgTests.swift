import Logging
import Salesforce
import SalesforceSimulator
@testable import SalesforceStreaming
import Testing

/// PushTopic declaration through the real REST client against the simulated org: the queries the
/// framework sends parse, and the topic it creates notifies on changes by another user.
@Suite("PushTopicDeclarer against SimulatedOrg")
struct PushTopicDeclarerSimulatedOrgTests {
    @Test("declares once, is unchanged on restart, updates a changed query; the topic notifies other users' changes")
    func declareAndNotify() async throws {
        let org = SimulatedOrg(configuration: SimulatorConfiguration(baseURL: "http://sim.test"))
        let http = SimulatorHTTPClient(org: org)
        let login = SOAPLogin(username: "demo@example.com", password: "demo-password", securityToken: "demo-token",
                              loginURL: "http://sim.test", apiVersion: "64.0", httpClient: http)
        let api = SalesforceRESTClient(connection: SalesforceConnection(authenticator: login, httpClient: http),
                                       apiVersion: "64.0")
        let declarer = PushTopicDeclarer(api: api, logger: Logger(label: "test"))

        let records = try await api.query(SObjectTopic.recordTypeQuery(sobjectType: "Contact", recordType: "Student"))
        let recordTypeID = try #require(records.first?["Id"]?.stringValue)
        let query = SObjectTopic.query(sobjectType: "Contact", recordTypeID: recordTypeID,
                                       excludingUserID: "005000000000001AAA")
        let name = SObjectTopic.topicName(sobjectType: "Contact", recordType: "Student")
        let definition = PushTopicDefinition(name: name, query: query, notifyForFields: .referenced)

        guard case .created(let id) = try await declarer.declare(definition) else { Issue.record("not created"); return }
        #expect(try await declarer.declare(definition) == .unchanged(id: id))
        var changed = definition
        changed.notifyForOperationDelete = false
        #expect(try await declarer.declare(changed) == .updated(id: id))

        _ = try await org.createRecord("Contact", fields: ["LastName": "Mine", "RecordTypeId": .string(recordTypeID)])
        let theirs = try await org.createRecord("Contact", fields: ["LastName": "Theirs", "RecordTypeId": .string(recordTypeID)],
                                                as: "other@example.com")
        try await org.deleteRecord(theirs, as: "other@example.com")
        let stats = await org.stats().channel("/topic/\(name)")
        #expect(stats?.published == 1) // only the other user's create; deletes are off now
    }
}
