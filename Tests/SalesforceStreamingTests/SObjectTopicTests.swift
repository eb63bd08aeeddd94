import Salesforce
@testable import SalesforceStreaming
import Testing

@Suite("SObjectTopic")
struct SObjectTopicTests {
    @Test("the query selects Id, Name, LastModifiedById, LastModifiedDate as nameko-salesforce does")
    func defaultQuery() {
        #expect(SObjectTopic.query(sobjectType: "Contact", recordTypeID: nil, excludingUserID: nil)
                == "SELECT Id, Name, LastModifiedById, LastModifiedDate FROM Contact")
    }

    @Test("record type and current-user filters become escaped WHERE conditions")
    func filters() {
        #expect(SObjectTopic.query(sobjectType: "Contact", recordTypeID: "012000000000001AAA", excludingUserID: "005000000000001AAA")
                == "SELECT Id, Name, LastModifiedById, LastModifiedDate FROM Contact WHERE RecordTypeId = '012000000000001AAA' AND LastModifiedById != '005000000000001AAA'")
        #expect(SObjectTopic.recordTypeQuery(sobjectType: "Contact", recordType: "O'Brien")
                == #"SELECT Id FROM RecordType WHERE SobjectType = 'Contact' AND DeveloperName = 'O\'Brien'"#)
    }

    @Test("objects without a Name field (Case, Task) get a query without Name")
    func objectsWithoutName() {
        #expect(SObjectTopic.query(sobjectType: "Case", recordTypeID: nil, excludingUserID: nil)
                == "SELECT Id, LastModifiedById, LastModifiedDate FROM Case")
        #expect(!SObjectTopic.query(sobjectType: "Task", recordTypeID: nil, excludingUserID: nil).contains("Name"))
    }

    @Test("topic names are <SObject><RecordType>, shortened deterministically and distinctly past 25 characters")
    func topicNames() throws {
        #expect(SObjectTopic.topicName(sobjectType: "Contact", recordType: "Student") == "ContactStudent")
        let long = SObjectTopic.topicName(sobjectType: "OpportunityLineItem", recordType: "Enterprise")
        #expect(long.count == 25)
        #expect(long == SObjectTopic.topicName(sobjectType: "OpportunityLineItem", recordType: "Enterprise"))
        #expect(long != SObjectTopic.topicName(sobjectType: "OpportunityLineItem", recordType: "Enterprises"))
        try PushTopicDefinition(name: long, query: "SELECT Id FROM OpportunityLineItem").validate()
    }

    @Test("sObject and record type names that could inject SOQL are refused")
    func refusesInjection() {
        #expect(throws: PushTopicError.self) { try SObjectTopic.validatedName("Contact WHERE Id != null") }
        #expect(throws: PushTopicError.self) { try SObjectTopic.validatedName("x'--") }
        #expect(throws: Never.self) { try SObjectTopic.validatedName("Invoice_Statement__c") }
    }

    @Test("PushTopic names over 25 characters or with odd characters, and queries over 1300 characters, are refused at start")
    func definitionLimits() {
        #expect(throws: PushTopicError.self) { try PushTopicDefinition(name: String(repeating: "A", count: 26), query: "SELECT Id FROM A").validate() }
        #expect(throws: PushTopicError.self) { try PushTopicDefinition(name: "Bad Name", query: "SELECT Id FROM A").validate() }
        #expect(throws: PushTopicError.self) {
            try PushTopicDefinition(name: "Ok", query: "SELECT Id FROM A WHERE " + String(repeating: "x", count: 1300)).validate()
        }
    }
}
