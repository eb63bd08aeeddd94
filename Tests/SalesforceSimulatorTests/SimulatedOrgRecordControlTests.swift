import Foundation
import HTTPTransport
import Testing
@testable import SalesforceSimulator

@Suite("Record control API over HTTP")
struct SimulatedOrgRecordControlTests {
    let org = RESTTestClient.makeOrg()

    func call(_ method: HTTPMethod, _ path: String, _ body: JSONValue? = nil) async throws -> (Int, JSONValue) {
        let response = try await SimulatorHTTPClient(org: org).send(HTTPRequest(
            method: method, url: "http://sim.test\(path)", body: body?.serialized()))
        return (response.status, try JSONValue(parsing: response.body))
    }

    @Test("records are created, changed, deleted and undeleted as a named user, notifying PushTopics")
    func lifecycle() async throws {
        let (topicStatus, _) = try await call(.post, "/simulator/records", [
            "type": "PushTopic", "fields": ["Name": "Leads", "Query": "SELECT Id, Company FROM Lead", "ApiVersion": 64.0,
                                            "NotifyForFields": "All"]])
        #expect(topicStatus == 201)
        let (status, created) = try await call(.post, "/simulator/records", [
            "type": "Lead", "fields": ["LastName": "L", "Company": "C"], "user": "other@example.com"])
        #expect(status == 201)
        let id = try #require(created["id"]?.stringValue)
        #expect(try await call(.patch, "/simulator/records/\(id)", ["fields": ["Company": "D"]]).0 == 200)
        let (_, record) = try await call(.get, "/simulator/records/\(id)")
        #expect(record["Company"] == "D")
        #expect(record["CreatedById"] == "005000000000002AAA")
        #expect(record["LastModifiedById"] == "005000000000001AAA")
        #expect(try await call(.delete, "/simulator/records/\(id)?user=other%40example.com").0 == 200)
        #expect(try await call(.get, "/simulator/records/\(id)").1["IsDeleted"] == true)
        #expect(try await call(.post, "/simulator/undelete", ["id": .string(id)]).0 == 200)
        let (_, query) = try await call(.get, "/simulator/query?q=SELECT%20Id,%20Company%20FROM%20Lead")
        #expect(query["records"] == [["Id": .string(id), "Company": "D"]])
        let types = await org.retainedEvents("/topic/Leads").compactMap { $0["data"]?["event"]?["type"]?.stringValue }
        #expect(types == ["created", "updated", "deleted", "undeleted"])
    }

    @Test("errors carry the REST status and Salesforce's error code")
    func errors() async throws {
        let (missing, body) = try await call(.post, "/simulator/records", ["type": "Lead", "fields": ["LastName": "L"]])
        #expect(missing == 400)
        #expect(body["errorCode"] == "REQUIRED_FIELD_MISSING")
        #expect(try await call(.get, "/simulator/records/00Q000000000999AAA").0 == 404)
        #expect(try await call(.post, "/simulator/undelete", ["id": "00Q000000000999AAA"]).0 == 404)
        let (user, userBody) = try await call(.post, "/simulator/records", ["type": "Lead", "fields": [:], "user": "nobody"])
        #expect(user == 400)
        #expect(userBody["errorCode"] == "INVALID_USER")
        #expect(try await call(.put, "/simulator/records").0 == 405)
        #expect(try await call(.post, "/simulator/records", ["fields": [:]]).0 == 400)
    }
}
