import Foundation
import HTTPTransport
import Testing
@testable import SalesforceSimulator

@Suite("PushTopics")
struct SimulatedOrgPushTopicTests {
    typealias R = RESTTestClient
    static let other = "other@example.com"

    /// Creates a topic through the Swift API and returns its ID.
    @discardableResult
    func topic(_ org: SimulatedOrg, _ name: String, _ query: String, notify: String = "Referenced",
               create: Bool = true, update: Bool = true, delete: Bool = true, undelete: Bool = true) async throws -> String {
        try await org.createRecord("PushTopic", fields: [
            "Name": .string(name), "Query": .string(query), "ApiVersion": 64.0, "NotifyForFields": .string(notify),
            "NotifyForOperationCreate": .bool(create), "NotifyForOperationUpdate": .bool(update),
            "NotifyForOperationDelete": .bool(delete), "NotifyForOperationUndelete": .bool(undelete),
        ])
    }

    func events(_ org: SimulatedOrg, _ name: String) async -> [JSONValue] {
        await org.retainedEvents("/topic/\(name)").map { $0["data"] ?? .null }
    }

    func types(_ org: SimulatedOrg, _ name: String) async -> [String] {
        await events(org, name).compactMap { $0["event"]?["type"]?.stringValue }
    }

    // MARK: Validation

    @Test("creating a PushTopic validates name, uniqueness and query like Salesforce")
    func validation() async throws {
        let org = R.makeOrg()
        let rest = try await R(org: org)
        func refuse(_ fields: JSONValue, _ code: String, _ messagePart: String = "") async throws {
            let (status, json) = try await rest.send(.post, "sobjects/PushTopic", fields)
            #expect(status == 400, "\(fields)")
            #expect(R.errorCode(json) == code, "\(fields)")
            #expect(messagePart.isEmpty || R.message(json)?.contains(messagePart) == true, "\(String(describing: R.message(json)))")
        }
        func t(_ name: String, _ query: String) -> JSONValue {
            ["Name": .string(name), "Query": .string(query), "ApiVersion": 64.0]
        }
        try await refuse(t(String(repeating: "N", count: 26), "SELECT Id FROM Account"), "STRING_TOO_LONG", "max length=25")
        try await refuse(t("T", "SELECT Id FROM Account WHERE Name = '\(String(repeating: "x", count: 1300))'"),
                         "STRING_TOO_LONG", "max length=1300")
        try await refuse(t("T", "SELECT Name FROM Account"), "INVALID_FIELD", "Id")
        try await refuse(t("T", "SELECT Id FROM Account ORDER BY Name"), "INVALID_FIELD", "ORDER BY")
        try await refuse(t("T", "SELECT Id FROM Account LIMIT 1"), "INVALID_FIELD", "LIMIT")
        try await refuse(t("T", "SELECT Id FROM Account GROUP BY Id"), "INVALID_FIELD", "GROUP BY")
        try await refuse(t("T", "SELECT COUNT() FROM Account"), "INVALID_FIELD", "Aggregate")
        try await refuse(t("T", "SELECT Id, Account.Name FROM Contact"), "INVALID_FIELD", "Relationships")
        try await refuse(t("T", "SELECT Id FROM Account WHERE NOT Name = 'a'"), "INVALID_FIELD", "NOT")
        try await refuse(t("T", "SELECT Id FROM"), "INVALID_FIELD")
        try await refuse(t("Bad-Name", "SELECT Id FROM Account"), "FIELD_INTEGRITY_EXCEPTION")
        try await refuse(t("T", "SELECT Id FROM Nope"), "INVALID_FIELD", "Nope")
        try await refuse(t("T", "SELECT Id, Shoe FROM Account"), "INVALID_FIELD", "Shoe")
        try await refuse(t("T", "SELECT Id FROM RecordType"), "INVALID_FIELD", "RecordType")
        try await refuse(["Name": "T", "ApiVersion": 64.0], "REQUIRED_FIELD_MISSING")
        func n(_ rule: String, _ query: String) -> JSONValue {
            ["Name": "T", "Query": .string(query), "ApiVersion": 64.0, "NotifyForFields": .string(rule)]
        }
        try await refuse(n("Select", "SELECT Id FROM Account WHERE Name = 'a'"), "INVALID_FIELD", "SELECT clause")
        try await refuse(n("Where", "SELECT Id, Name FROM Account"), "INVALID_FIELD", "WHERE clause")
        try await refuse(n("Where", "SELECT Id, Name FROM Account WHERE Id = '001000000000001AAA'"), "INVALID_FIELD", "WHERE")
        try await refuse(n("Referenced", "SELECT Id FROM Account"), "INVALID_FIELD", "SELECT or WHERE")
        #expect(try await rest.send(.post, "sobjects/PushTopic", n("All", "SELECT Id FROM Account")).status == 201)
        var bad = t("T", "SELECT Id FROM Account").objectValue!
        bad["NotifyForFields"] = "Sometimes"
        try await refuse(.object(bad), "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST")

        let id = try await rest.create("PushTopic", t("Good_1", "SELECT Id FROM Account WHERE Name NOT IN ('x')"))
        #expect(await org.channelNames().contains("/topic/Good_1"))
        try await refuse(t("good_1", "SELECT Id, Name FROM Contact"), "DUPLICATE_VALUE", id)
        let record = try #require(await org.record(id))
        #expect(record["NotifyForFields"] == "Referenced")
        #expect(record["IsActive"] == true)
        #expect(record["NotifyForOperationUndelete"] == true)
        // An invalid query update is refused and the old one stays.
        let (status, json) = try await rest.send(.patch, "sobjects/PushTopic/\(id)", ["Query": "SELECT Id FROM Account LIMIT 2"])
        #expect(status == 400)
        #expect(R.errorCode(json) == "INVALID_FIELD")
        #expect(await org.record(id)?["Query"] == "SELECT Id FROM Account WHERE Name NOT IN ('x')")
    }

    @Test("the framework's PushTopic lookup query returns numbers and booleans as written")
    func topicQueryRoundTrip() async throws {
        let org = R.makeOrg()
        let rest = try await R(org: org)
        _ = try await rest.create("PushTopic", ["Name": "Inv", "Query": "SELECT Id FROM Invoice__c", "ApiVersion": 64.0,
                                                "NotifyForFields": "All", "NotifyForOperationDelete": false])
        let (_, page) = try await rest.query("SELECT Id, Name, Query, ApiVersion, NotifyForFields, NotifyForOperationCreate, "
            + "NotifyForOperationUpdate, NotifyForOperationDelete, NotifyForOperationUndelete FROM PushTopic WHERE Name = 'Inv'")
        let record = try #require(page?["records"]?.arrayValue?.first)
        #expect(record["ApiVersion"]?.intValue == 64)
        #expect(record["NotifyForFields"] == "All")
        #expect(record["NotifyForOperationDelete"] == false)
        #expect(record["NotifyForOperationCreate"] == true)
    }

    // MARK: Notifications

    @Test("create, update, delete and undelete publish events with the SELECT fields")
    func operations() async throws {
        let org = R.makeOrg()
        try await topic(org, "Contacts", "SELECT Id, LastName, Email FROM Contact", notify: "All")
        let id = try await org.createRecord("Contact", fields: ["LastName": "Lovelace", "Title": "Countess"])
        try await org.updateRecord(id, fields: ["Email": "ada@example.com"])
        try await org.deleteRecord(id)
        try await org.undeleteRecord(id)
        let data = await events(org, "Contacts")
        #expect(data.compactMap { $0["event"]?["type"]?.stringValue } == ["created", "updated", "deleted", "undeleted"])
        #expect(data[0]["sobject"] == ["Id": .string(id), "LastName": "Lovelace"])
        #expect(data[1]["sobject"] == ["Id": .string(id), "LastName": "Lovelace", "Email": "ada@example.com"])
        #expect(data[2]["sobject"]?["Email"] == "ada@example.com")
        #expect(data[0]["event"]?["replayId"]?.intValue == 1)
        #expect(data[3]["event"]?["replayId"]?.intValue == 4)
        #expect(await org.stats().channel("/topic/Contacts")?.published == 4)
    }

    @Test("each NotifyForOperation flag turns its operation off")
    func operationFlags() async throws {
        let org = R.makeOrg()
        try await topic(org, "NoCreate", "SELECT Id FROM Lead", notify: "All", create: false)
        try await topic(org, "NoUpdate", "SELECT Id FROM Lead", notify: "All", update: false)
        try await topic(org, "NoDelete", "SELECT Id FROM Lead", notify: "All", delete: false)
        try await topic(org, "NoUndelete", "SELECT Id FROM Lead", notify: "All", undelete: false)
        let id = try await org.createRecord("Lead", fields: ["LastName": "L", "Company": "C"])
        try await org.updateRecord(id, fields: ["Company": "D"])
        try await org.deleteRecord(id)
        try await org.undeleteRecord(id)
        #expect(await types(org, "NoCreate") == ["updated", "deleted", "undeleted"])
        #expect(await types(org, "NoUpdate") == ["created", "deleted", "undeleted"])
        #expect(await types(org, "NoDelete") == ["created", "updated", "undeleted"])
        #expect(await types(org, "NoUndelete") == ["created", "updated", "deleted"])
    }

    @Test("WHERE conditions select which records notify (=, !=, AND, OR, IN)")
    func whereConditions() async throws {
        let org = R.makeOrg()
        try await topic(org, "Hot", "SELECT Id, Name FROM Account WHERE Rating = 'Hot' AND (Industry = 'Tech' OR Industry IN ('Food', 'Retail'))",
                        notify: "All")
        try await topic(org, "NotCold", "SELECT Id FROM Account WHERE Rating != 'Cold'", notify: "All")
        let a = try await org.createRecord("Account", fields: ["Name": "A", "Rating": "Hot", "Industry": "Retail"])
        _ = try await org.createRecord("Account", fields: ["Name": "B", "Rating": "Hot", "Industry": "Mining"])
        _ = try await org.createRecord("Account", fields: ["Name": "C", "Rating": "Cold", "Industry": "Tech"])
        let d = try await org.createRecord("Account", fields: ["Name": "D", "Industry": "Tech"])
        #expect(await events(org, "Hot").compactMap { $0["sobject"]?["Id"]?.stringValue } == [a])
        #expect(await events(org, "NotCold").count == 3) // A, B and D (Rating null != 'Cold')
        // An update moving a record out of the WHERE clause does not notify; into it does.
        try await org.updateRecord(a, fields: ["Rating": "Cold"])
        try await org.updateRecord(d, fields: ["Rating": "Hot"])
        #expect(await events(org, "Hot").compactMap { $0["sobject"]?["Id"]?.stringValue } == [a, d])
    }

    @Test("RecordTypeId and LastModifiedById conditions: another user's changes notify, one's own do not")
    func frameworkTopicShape() async throws {
        let org = R.makeOrg()
        let student = try #require(try await org.query(
            "SELECT Id FROM RecordType WHERE SobjectType = 'Contact' AND DeveloperName = 'Student'").first?["Id"]?.stringValue)
        let teacher = try #require(try await org.query(
            "SELECT Id FROM RecordType WHERE SobjectType = 'Contact' AND DeveloperName = 'Teacher'").first?["Id"]?.stringValue)
        try await topic(org, "ContactStudent", "SELECT Id, Name, LastModifiedById, LastModifiedDate FROM Contact "
            + "WHERE RecordTypeId = '\(student)' AND LastModifiedById != '005000000000001AAA'")
        let mine = try await org.createRecord("Contact", fields: ["LastName": "Mine", "RecordTypeId": .string(student)])
        let theirs = try await org.createRecord("Contact", fields: ["LastName": "Theirs", "RecordTypeId": .string(student)],
                                                as: Self.other)
        _ = try await org.createRecord("Contact", fields: ["LastName": "Teach", "RecordTypeId": .string(teacher)],
                                       as: Self.other)
        try await org.updateRecord(mine, fields: ["LastName": "Mine2"], as: Self.other)
        try await org.updateRecord(theirs, fields: ["LastName": "Theirs2"])
        let data = await events(org, "ContactStudent")
        #expect(data.map { $0["sobject"]?["Name"]?.stringValue ?? "?" } == ["Theirs", "Mine2"])
        #expect(data.allSatisfy { $0["sobject"]?["LastModifiedById"] == "005000000000002AAA" })
        #expect(data.allSatisfy { $0["sobject"]?["LastModifiedDate"]?.stringValue != nil })
    }

    @Test("NotifyForFields All, Referenced, Select and Where pick the updates that notify")
    func notifyForFields() async throws {
        let org = R.makeOrg()
        let query = "SELECT Id, Subject FROM Case WHERE Status != 'Closed'"
        for rule in ["All", "Referenced", "Select", "Where"] { try await topic(org, "Case\(rule)", query, notify: rule) }
        let id = try await org.createRecord("Case", fields: ["Subject": "S", "Status": "New", "Priority": "Low"])
        try await org.updateRecord(id, fields: ["Priority": "High"])   // unreferenced field
        try await org.updateRecord(id, fields: ["Subject": "S2"])      // SELECT field
        try await org.updateRecord(id, fields: ["Status": "Working"])  // WHERE field
        try await org.updateRecord(id, fields: ["Status": "Working"])  // no change at all
        func updates(_ rule: String) async -> Int { await types(org, "Case\(rule)").filter { $0 == "updated" }.count }
        #expect(await updates("All") == 3)
        #expect(await updates("Referenced") == 2)
        #expect(await updates("Select") == 1)
        #expect(await updates("Where") == 1)
        for rule in ["All", "Referenced", "Select", "Where"] {
            #expect(await types(org, "Case\(rule)").first == "created", "\(rule)")
        }
    }

    @Test("a query change takes effect for the next change at once")
    func queryChange() async throws {
        let org = R.makeOrg()
        let rest = try await R(org: org)
        let id = try await topic(org, "Opps", "SELECT Id FROM Opportunity WHERE StageName = 'Won'", notify: "All")
        let o = try await org.createRecord("Opportunity", fields: ["Name": "O", "StageName": "Lost", "CloseDate": "2030-01-01"])
        #expect(await events(org, "Opps").isEmpty)
        #expect(try await rest.send(.patch, "sobjects/PushTopic/\(id)",
                                    ["Query": "SELECT Id, Amount FROM Opportunity WHERE StageName = 'Lost'"]).status == 204)
        try await org.updateRecord(o, fields: ["Amount": 10])
        #expect(await events(org, "Opps").map { $0["sobject"] } == [["Id": .string(o), "Amount": 10]])
        // Deactivated topics notify nothing.
        try await org.updateRecord(id, fields: ["IsActive": false])
        try await org.updateRecord(o, fields: ["Amount": 11])
        #expect(await events(org, "Opps").count == 1)
    }

    @Test("delete evaluates WHERE on the record before deletion; undelete on the restored record")
    func deleteAndUndelete() async throws {
        let org = R.makeOrg()
        try await topic(org, "OpenTasks", "SELECT Id, Subject, Status FROM Task WHERE Status = 'Open'", notify: "All")
        let open = try await org.createRecord("Task", fields: ["Subject": "A", "Status": "Open"])
        let done = try await org.createRecord("Task", fields: ["Subject": "B", "Status": "Done"])
        try await org.deleteRecord(open, as: Self.other)
        try await org.deleteRecord(done)
        try await org.undeleteRecord(open)
        try await org.undeleteRecord(done)
        let data = await events(org, "OpenTasks")
        #expect(data.map { $0["event"]?["type"]?.stringValue ?? "" } == ["created", "deleted", "undeleted"])
        #expect(data[1]["sobject"] == ["Id": .string(open), "Subject": "A", "Status": "Open"])
        await #expect(throws: SimulatedRecordError.self) { try await org.undeleteRecord(open) }
        #expect(await org.record(open)?["IsDeleted"] == false)
    }

    @Test("events reach a subscribed CometD client through the normal publishing path")
    func delivery() async throws {
        let org = TestStreamingClient.makeOrg(channels: [])
        try await topic(org, "Invoices", "SELECT Id, Name FROM Invoice__c", notify: "All")
        var client = TestStreamingClient(org: org)
        try await client.start()
        #expect(try await client.subscribe("/topic/Invoices")["successful"] == true)
        let id = try await org.createRecord("Invoice__c", fields: ["Name": "INV-1"], as: Self.other)
        let events = TestStreamingClient.events(try await client.connect())
        #expect(events.count == 1)
        #expect(events.first?["channel"] == "/topic/Invoices")
        #expect(events.first?["data"]?["sobject"] == ["Id": .string(id), "Name": "INV-1"])
        #expect(events.first?["data"]?["event"]?["type"] == "created")
    }

    @Test("system-field-only changes notify no rule, even with LastModifiedById selected")
    func systemFieldsOnly() async throws {
        let org = R.makeOrg()
        for rule in ["All", "Referenced", "Select"] {
            try await topic(org, "Sys\(rule)", "SELECT Id, Name, LastModifiedById, LastModifiedDate FROM Account", notify: rule)
        }
        let id = try await org.createRecord("Account", fields: ["Name": "A"])
        try await org.updateRecord(id, fields: ["Name": "A"], as: Self.other) // only LastModified* change
        #expect(await org.record(id)?["LastModifiedById"] == "005000000000002AAA")
        for rule in ["All", "Referenced", "Select"] { #expect(await types(org, "Sys\(rule)") == ["created"], "\(rule)") }
    }

    @Test("renaming a topic keeps notifying the old channel's subscribers and adds the new channel")
    func rename() async throws {
        let org = R.makeOrg()
        let id = try await topic(org, "OldName", "SELECT Id, Name FROM Account", notify: "All")
        try await org.updateRecord(id, fields: ["Name": "NewName"])
        _ = try await org.createRecord("Account", fields: ["Name": "A"])
        #expect(await types(org, "OldName") == ["created"])
        #expect(await types(org, "NewName") == ["created"])
    }
}
