import Foundation
import HTTPTransport
import Testing
@testable import SalesforceSimulator

@Suite("REST API")
struct SimulatedOrgRESTTests {
    typealias R = RESTTestClient

    @Test("create, read, update, delete a record with system fields set to the acting user")
    func crud() async throws {
        let org = R.makeOrg()
        let rest = try await R(org: org)
        let (status, created) = try await rest.send(.post, "sobjects/Contact", ["FirstName": "Ada", "LastName": "Lovelace"])
        #expect(status == 201)
        #expect(created?["success"] == true)
        #expect(created?["errors"] == [])
        let id = try #require(created?["id"]?.stringValue)
        #expect(id.count == 18 && id.hasPrefix("003"))

        let (getStatus, record) = try await rest.send(.get, "sobjects/Contact/\(id)")
        #expect(getStatus == 200)
        #expect(record?["Name"] == "Ada Lovelace")
        #expect(record?["LastModifiedById"] == "005000000000001AAA")
        #expect(record?["CreatedById"] == "005000000000001AAA")
        #expect(record?["IsDeleted"] == false)
        #expect(record?["Email"] == .null)
        #expect(record?["attributes"]?["type"] == "Contact")
        #expect(record?["CreatedDate"]?.stringValue?.hasSuffix("+0000") == true)

        let other = try await R(org: org, username: "other@example.com", password: "other-passwordother-token")
        #expect(try await other.send(.patch, "sobjects/Contact/\(id)", ["Email": "ada@example.com"]).status == 204)
        let (_, some) = try await rest.send(.get, "sobjects/Contact/\(id)?fields=Email,LastModifiedById")
        #expect(some?["Email"] == "ada@example.com")
        #expect(some?["LastModifiedById"] == "005000000000002AAA")
        #expect(some?["FirstName"] == nil)

        #expect(try await rest.send(.delete, "sobjects/Contact/\(id)").status == 204)
        let (goneStatus, gone) = try await rest.send(.get, "sobjects/Contact/\(id)")
        #expect(goneStatus == 404)
        #expect(R.errorCode(gone) == "NOT_FOUND")
        let (againStatus, again) = try await rest.send(.delete, "sobjects/Contact/\(id)")
        #expect(againStatus == 404)
        #expect(R.errorCode(again) == "ENTITY_IS_DELETED")

        try await org.undeleteRecord(id)
        #expect(try await rest.send(.get, "sobjects/Contact/\(id)").status == 200)
    }

    @Test("IDs carry Salesforce key prefixes, custom objects get a00")
    func idPrefixes() async throws {
        let org = R.makeOrg()
        let rest = try await R(org: org)
        #expect(try await rest.create("Account", ["Name": "A"]).hasPrefix("001"))
        #expect(try await rest.create("Lead", ["LastName": "L", "Company": "C"]).hasPrefix("00Q"))
        #expect(try await rest.create("Opportunity", ["Name": "O", "StageName": "New", "CloseDate": "2030-01-01"])
            .hasPrefix("006"))
        #expect(try await rest.create("Case", ["Subject": "S"]).hasPrefix("500"))
        #expect(try await rest.create("Task", ["Subject": "T"]).hasPrefix("00T"))
        #expect(try await rest.create("Invoice__c", ["Name": "INV-1"]).hasPrefix("a00"))
        #expect(try await rest.create("PushTopic", ["Name": "T", "Query": "SELECT Id, Name FROM Account", "ApiVersion": 64])
            .hasPrefix("0IF"))
        let rt = try #require(try await org.query("SELECT Id FROM RecordType WHERE DeveloperName = 'Student'").first)
        #expect(rt["Id"]?.stringValue?.hasPrefix("012") == true)
    }

    @Test("errors come in Salesforce's shape with its codes and statuses")
    func errors() async throws {
        let org = R.makeOrg()
        let rest = try await R(org: org)
        func check(_ method: HTTPMethod, _ path: String, _ body: JSONValue?, _ status: Int, _ code: String,
                   fields: [String]? = nil) async throws {
            let (s, json) = try await rest.send(method, path, body)
            #expect(s == status, "\(method) \(path)")
            #expect(R.errorCode(json) == code, "\(method) \(path)")
            #expect(json?.arrayValue?.first?["message"]?.stringValue?.isEmpty == false)
            if let fields { #expect(json?.arrayValue?.first?["fields"] == .array(fields.map(JSONValue.string))) }
        }
        try await check(.post, "sobjects/Contact", ["FirstName": "x"], 400, "REQUIRED_FIELD_MISSING", fields: ["LastName"])
        try await check(.post, "sobjects/Contact", ["LastName": "x", "Shoe": 1], 400, "INVALID_FIELD", fields: ["Shoe"])
        try await check(.post, "sobjects/Nope", ["Name": "x"], 400, "INVALID_TYPE")
        try await check(.post, "sobjects/Contact", ["LastName": "x", "CreatedDate": "2020-01-01"], 400,
                        "INVALID_FIELD_FOR_INSERT_UPDATE")
        try await check(.post, "sobjects/Contact", ["LastName": "x", "RecordTypeId": "012000000000999AAA"], 400,
                        "INVALID_CROSS_REFERENCE_KEY")
        try await check(.get, "sobjects/Contact/003000000000999AAA", nil, 404, "NOT_FOUND")
        try await check(.patch, "sobjects/Contact/003000000000999AAA", ["LastName": "y"], 404, "NOT_FOUND")
        try await check(.get, "query?q=SELECT%20Id%20FRM%20Account", nil, 400, "MALFORMED_QUERY")
        try await check(.get, "query?q=SELECT%20Shoe%20FROM%20Account", nil, 400, "INVALID_FIELD")
        try await check(.get, "query?q=SELECT%20Id%20FROM%20Nope", nil, 400, "INVALID_TYPE")
        try await check(.get, "query/01gBOGUS-2000", nil, 400, "INVALID_QUERY_LOCATOR")
        try await check(.get, "nothing/here", nil, 404, "NOT_FOUND")
        _ = try await rest.create("PushTopic", ["Name": "Dup", "Query": "SELECT Id, Name FROM Account", "ApiVersion": 64])
        try await check(.post, "sobjects/PushTopic", ["Name": "Dup", "Query": "SELECT Id FROM Contact", "ApiVersion": 64],
                        400, "DUPLICATE_VALUE")
    }

    @Test("a missing or expired token answers 401 INVALID_SESSION_ID")
    func expiredSession() async throws {
        let org = R.makeOrg()
        let rest = try await R(org: org)
        let (status, json) = try await rest.send(.get, "query?q=SELECT%20Id%20FROM%20Account", token: "bogus")
        #expect(status == 401)
        #expect(json == [["message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"]])
        #expect(try await rest.query("SELECT Id FROM Account").status == 200)
        await org.inject(fault: .expireSessions)
        #expect(try await rest.query("SELECT Id FROM Account").status == 401)
    }

    @Test("queries page through nextRecordsUrl beyond the page size")
    func pagination() async throws {
        let org = R.makeOrg(pageSize: 2)
        let rest = try await R(org: org)
        for n in 1...5 { _ = try await rest.create("Account", ["Name": .string("A\(n)")]) }
        var (status, page) = try await rest.query("SELECT Id, Name FROM Account")
        #expect(status == 200)
        var names: [String] = []
        var pages = 0
        while true {
            pages += 1
            #expect(page?["totalSize"] == 5)
            names += page?["records"]?.arrayValue?.compactMap { $0["Name"]?.stringValue } ?? []
            #expect(page?["records"]?.arrayValue?.first?["attributes"]?["type"] == "Account")
            guard page?["done"] == false, let next = page?["nextRecordsUrl"]?.stringValue else { break }
            #expect(next.hasPrefix("/services/data/v64.0/query/01g"))
            (status, page) = try await rest.send(.get, next)
            #expect(status == 200)
        }
        #expect(pages == 3)
        #expect(names == ["A1", "A2", "A3", "A4", "A5"])
    }

    @Test("queries filter, order and limit; deleted records are left out")
    func queryFilters() async throws {
        let org = R.makeOrg()
        let rest = try await R(org: org)
        let a = try await rest.create("Account", ["Name": "Beta", "Industry": "Tech"])
        _ = try await rest.create("Account", ["Name": "Alpha", "Industry": "Tech"])
        _ = try await rest.create("Account", ["Name": "Gamma", "Industry": "Food"])
        let (_, page) = try await rest.query("SELECT Name FROM Account WHERE Industry = 'tech' ORDER BY Name LIMIT 5")
        #expect(page?["records"]?.arrayValue?.map { $0["Name"] } == ["Alpha", "Beta"])
        try await org.deleteRecord(a)
        let (_, after) = try await rest.query("select name from account where industry = 'Tech'")
        #expect(after?["records"]?.arrayValue?.map { $0["Name"] } == ["Alpha"])
        let (_, hostile) = try await rest.query(#"SELECT Id FROM Account WHERE Name = 'x\' OR Name != \''"#)
        #expect(hostile?["totalSize"] == 0)
    }

    @Test("RecordType records are seeded from the configuration and queryable by developer name")
    func recordTypes() async throws {
        let org = R.makeOrg()
        let rest = try await R(org: org)
        let (_, page) = try await rest.query(
            "SELECT Id FROM RecordType WHERE SobjectType = 'Contact' AND DeveloperName = 'Student'")
        let id = try #require(page?["records"]?.arrayValue?.first?["Id"]?.stringValue)
        let contact = try await rest.create("Contact", ["LastName": "S", "RecordTypeId": .string(id)])
        #expect(await org.record(contact)?["RecordTypeId"] == .string(id))
    }
}
