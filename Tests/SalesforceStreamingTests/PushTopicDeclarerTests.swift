import Logging
import Salesforce
@testable import SalesforceStreaming
import Testing

/// A SalesforceAPIClient holding PushTopic records in memory, recording writes.
actor FakePushTopicAPI: SalesforceAPIClient {
    var records: [String: JSONObject] = [:]
    var writes: [String] = []
    var failCreateWith: SalesforceAPIError?

    init(existing: [JSONObject] = []) {
        for (index, record) in existing.enumerated() {
            var record = record
            record["Id"] = .string("0IF00000000000\(index)AAA")
            records["0IF00000000000\(index)AAA"] = record
        }
    }

    func setCreateFailure(_ error: SalesforceAPIError?) { failCreateWith = error }

    func query(_ soql: String) async throws -> [JSONObject] {
        guard let range = soql.range(of: "WHERE Name = '") else { return [] }
        let name = String(soql[range.upperBound...].dropLast())
        return records.values.filter { $0["Name"] == .string(name) }
    }

    func create(_ sobject: String, fields: JSONObject) async throws -> String {
        if let failCreateWith { throw failCreateWith }
        let id = "0IF0000000000\(records.count + 10)AAA"
        var record = fields
        record["Id"] = .string(id)
        records[id] = record
        writes.append("create")
        return id
    }

    func update(_ sobject: String, id: String, fields: JSONObject) async throws {
        records[id]?.merge(fields) { $1 }
        writes.append("update")
    }

    func delete(_ sobject: String, id: String) async throws { records[id] = nil }
    func get(_ sobject: String, id: String, fields: [String]?) async throws -> JSONObject { records[id] ?? [:] }
}

@Suite("PushTopicDeclarer")
struct PushTopicDeclarerTests {
    let topic = PushTopicDefinition(name: "ContactUpdates", query: "SELECT Id, Name FROM Contact", apiVersion: "64.0",
                                    notifyForFields: .select, notifyForOperationDelete: false)

    func declarer(_ api: FakePushTopicAPI) -> PushTopicDeclarer { PushTopicDeclarer(api: api, logger: Logger(label: "test")) }

    @Test("a missing topic is created with the query, API version and every notification option")
    func createsMissing() async throws {
        let api = FakePushTopicAPI()
        let outcome = try await declarer(api).declare(topic)
        guard case .created(let id) = outcome else { Issue.record("expected created, got \(outcome)"); return }
        let record = try #require(await api.records[id])
        #expect(record["Query"] == .string("SELECT Id, Name FROM Contact"))
        #expect(record["ApiVersion"]?.doubleValue == 64)
        #expect(record["NotifyForFields"] == .string("Select"))
        #expect(record["NotifyForOperationCreate"] == .bool(true))
        #expect(record["NotifyForOperationDelete"] == .bool(false))
    }

    @Test("an equal topic is left untouched; a different one is updated")
    func updatesOnlyWhenDifferent() async throws {
        let api = FakePushTopicAPI(existing: [topic.fields])
        #expect(try await declarer(api).declare(topic) == .unchanged(id: "0IF000000000000AAA"))
        #expect(await api.writes.isEmpty)
        var changed = topic
        changed.query = "SELECT Id, Name, Email FROM Contact"
        #expect(try await declarer(api).declare(changed) == .updated(id: "0IF000000000000AAA"))
        #expect(await api.records["0IF000000000000AAA"]?["Query"] == .string("SELECT Id, Name, Email FROM Contact"))
    }

    @Test("a Salesforce refusal is reported with the topic name and Salesforce's error")
    func reportsFailure() async throws {
        let api = FakePushTopicAPI()
        await api.setCreateFailure(SalesforceAPIError(errorCode: "INVALID_FIELD", message: "No such column 'Nme'", status: 400))
        await #expect(throws: PushTopicError.declarationFailed(topic: "ContactUpdates", error: "INVALID_FIELD: No such column 'Nme'")) {
            try await declarer(api).declare(topic)
        }
    }
}
