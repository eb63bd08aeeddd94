import Testing
@testable import SalesforceSimulator

@Suite("SOQLQuery")
struct SOQLQueryTests {
    @Test("parses SELECT list, FROM, WHERE with AND/OR/parentheses, IN and NOT IN, and LIMIT")
    func parsesQuery() throws {
        let q = try SOQLQuery(parsing: "select Id, Name FROM Contact WHERE (Email = 'a@b.c' OR Age__c > 3) "
            + "AND Status NOT IN ('x', 'y') AND Kind IN ('k') LIMIT 5")
        #expect(q.fields == ["Id", "Name"])
        #expect(q.object == "Contact")
        #expect(q.limit == 5)
        #expect(q.unsupported == ["LIMIT"])
        #expect(q.condition == .and([
            .or([.compare(field: "Email", op: .equal, value: .string("a@b.c")),
                 .compare(field: "Age__c", op: .greater, value: .number(3))]),
            .inList(field: "Status", values: [.string("x"), .string("y")], negated: true),
            .inList(field: "Kind", values: [.string("k")], negated: false),
        ]))
    }

    @Test("string literals decode SOQL escapes")
    func escapes() throws {
        let q = try SOQLQuery(parsing: #"SELECT Id FROM Account WHERE Name = 'O\'Brien \\ \"x\" \n\t'"#)
        #expect(q.condition == .compare(field: "Name", op: .equal, value: .string("O'Brien \\ \"x\" \n\t")))
    }

    @Test("an escaped quote cannot end the literal: injection attempts stay one string value")
    func injectionIsLiteral() throws {
        let hostile = #"x\' OR Name != \'"#
        let q = try SOQLQuery(parsing: "SELECT Id FROM Account WHERE Name = '\(hostile)'")
        #expect(q.condition == .compare(field: "Name", op: .equal, value: .string("x' OR Name != '")))
        #expect(q.condition?.matches(["Name": "Acme"]) == false)
        #expect(q.condition?.matches(["Name": "x' OR Name != '"]) == true)
    }

    @Test("malformed queries are rejected with a message")
    func malformed() {
        for text in ["SELECT FROM Account", "SELECT Id Account", "SELECT Id FROM Account WHERE Name = 'open",
                     "SELECT Id FROM Account WHERE Name = 'bad \\q escape'", "SELECT Id FROM Account WHERE",
                     "SELECT Id FROM Account WHERE Name = :bind", "SELECT Id FROM Account extra"] {
            #expect(throws: SOQLSyntaxError.self, "\(text)") { try SOQLQuery(parsing: text) }
        }
    }

    @Test("constructs PushTopics refuse are named in unsupported")
    func unsupportedConstructs() throws {
        #expect(try SOQLQuery(parsing: "SELECT Id FROM Account ORDER BY Name DESC").unsupported == ["ORDER BY"])
        #expect(try SOQLQuery(parsing: "SELECT COUNT() FROM Account").unsupported == ["aggregate"])
        #expect(try SOQLQuery(parsing: "SELECT Id, Account.Name FROM Contact").unsupported == ["relationship"])
        #expect(try SOQLQuery(parsing: "SELECT Id FROM Account WHERE NOT Name = 'a'").unsupported == ["NOT"])
        #expect(try SOQLQuery(parsing: "SELECT Name FROM Account GROUP BY Name").unsupported == ["GROUP BY"])
        #expect(try SOQLQuery(parsing: "SELECT Id FROM Contact WHERE AccountId IN (SELECT Id FROM Account)")
            .unsupported == ["semi-join"])
        #expect(try SOQLQuery(parsing: "SELECT Id FROM Account WHERE Name NOT IN ('a')").unsupported.isEmpty)
    }

    @Test("evaluation: =, != and text comparison ignore case; null matches missing fields")
    func evaluation() throws {
        func holds(_ where_: String, _ record: JSONObject) throws -> Bool {
            try #require(try SOQLQuery(parsing: "SELECT Id FROM Account WHERE " + where_).condition).matches(record)
        }
        #expect(try holds("Name = 'acme'", ["Name": "ACME"]))
        #expect(try !holds("Name != 'acme'", ["Name": "Acme"]))
        #expect(try holds("Name != 'acme'", [:]))
        #expect(try holds("Name = null", [:]))
        #expect(try holds("Name != null", ["Name": "x"]))
        #expect(try holds("Amount > 10 AND Amount < 20.5", ["Amount": 15]))
        #expect(try !holds("Amount > 10", [:]))
        #expect(try holds("IsActive = true", ["IsActive": true]))
        #expect(try holds("Status IN ('Open', 'New') OR Priority = 'High'", ["Status": "new"]))
        #expect(try !holds("Status NOT IN ('Open', 'New')", ["Status": "Open"]))
        #expect(try holds("(A = '1' OR B = '2') AND C = '3'", ["B": "2", "C": "3"]))
        #expect(try !holds("(A = '1' OR B = '2') AND C = '3'", ["B": "2", "C": "4"]))
        #expect(try holds("NOT Name = 'x'", ["Name": "y"]))
        #expect(try holds("Name LIKE 'ac%'", ["Name": "Acme"]))
        #expect(try !holds(#"Name LIKE 'a\%'"#, ["Name": "ab"]))
        #expect(try holds("CloseDate > 2024-01-01", ["CloseDate": "2024-02-01"]))
        #expect(try holds("OwnerId = '005000000000001'", ["OwnerId": "005000000000001AAA"]))
        #expect(try !holds("OwnerId != '005000000000001'", ["OwnerId": "005000000000001AAA"]))
        #expect(try !holds("OwnerId = '005000000000002'", ["OwnerId": "005000000000001AAA"]))
    }
}
