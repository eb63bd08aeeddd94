/// What the simulated org knows about sObject types: their fields, key prefixes, required
/// fields, and which of them PushTopics support. Custom objects (`X__c`) and custom fields
/// (`X__c`) exist as soon as they are used.
struct SObjectSchema: Sendable {
    let name: String
    let keyPrefix: String
    /// Standard fields other than the system fields every object has.
    let fields: [String]
    let required: [String]
    let supportsPushTopics: Bool
    /// Whether `Name` is computed from `FirstName` and `LastName`.
    let compoundName: Bool

    /// Fields every object has, set by the org only.
    static let systemFields = ["Id", "IsDeleted", "CreatedDate", "CreatedById", "LastModifiedDate", "LastModifiedById",
                               "SystemModstamp"]
    /// System fields whose change alone never generates a PushTopic notification.
    static let systemFieldSet = Set(systemFields)

    static let standard: [String: SObjectSchema] = {
        func s(_ name: String, _ prefix: String, _ fields: [String], required: [String] = [], push: Bool = true,
               compound: Bool = false) -> SObjectSchema {
            SObjectSchema(name: name, keyPrefix: prefix, fields: fields, required: required, supportsPushTopics: push,
                          compoundName: compound)
        }
        let list = [
            s("Account", "001", ["Name", "Type", "Industry", "Phone", "Website", "Description", "BillingCity",
                                 "BillingCountry", "AnnualRevenue", "NumberOfEmployees", "ParentId", "AccountNumber",
                                 "OwnerId", "RecordTypeId", "Rating"], required: ["Name"]),
            s("Contact", "003", ["FirstName", "LastName", "Name", "Email", "Phone", "MobilePhone", "AccountId", "Title",
                                 "Department", "Description", "Birthdate", "OwnerId", "RecordTypeId", "LeadSource"],
              required: ["LastName"], compound: true),
            s("Lead", "00Q", ["FirstName", "LastName", "Name", "Company", "Email", "Phone", "Status", "Title",
                              "LeadSource", "Industry", "Description", "OwnerId", "RecordTypeId", "Rating"],
              required: ["LastName", "Company"], compound: true),
            s("Opportunity", "006", ["Name", "StageName", "CloseDate", "Amount", "AccountId", "Probability", "Type",
                                     "Description", "LeadSource", "OwnerId", "RecordTypeId", "IsClosed", "IsWon"],
              required: ["Name", "StageName", "CloseDate"]),
            s("Case", "500", ["Subject", "Status", "Priority", "Origin", "Description", "AccountId", "ContactId",
                              "CaseNumber", "Type", "Reason", "OwnerId", "RecordTypeId", "IsClosed"]),
            s("Task", "00T", ["Subject", "Status", "Priority", "ActivityDate", "WhoId", "WhatId", "Description",
                              "OwnerId", "RecordTypeId", "IsClosed"]),
            s("Campaign", "701", ["Name", "Status", "Type", "IsActive", "StartDate", "EndDate", "Description", "OwnerId",
                                  "RecordTypeId"], required: ["Name"]),
            s("RecordType", "012", ["Name", "DeveloperName", "SobjectType", "IsActive", "Description",
                                    "NamespacePrefix", "BusinessProcessId"], push: false),
            s("PushTopic", "0IF", ["Name", "Query", "ApiVersion", "NotifyForFields", "NotifyForOperationCreate",
                                   "NotifyForOperationUpdate", "NotifyForOperationDelete", "NotifyForOperationUndelete",
                                   "NotifyForOperations", "IsActive", "Description"],
              required: ["Name", "Query", "ApiVersion"], push: false),
        ]
        return Dictionary(uniqueKeysWithValues: list.map { ($0.name.lowercased(), $0) })
    }()

    /// The standard object named `name` (any letter case).
    static func standard(_ name: String) -> SObjectSchema? { standard[name.lowercased()] }

    /// The canonical spelling of a standard or system field of this object (any letter case).
    func standardField(_ name: String) -> String? {
        let lower = name.lowercased()
        return Self.systemFields.first { $0.lowercased() == lower } ?? fields.first { $0.lowercased() == lower }
    }

    static func isCustomName(_ name: String) -> Bool {
        name.count > 3 && name.lowercased().hasSuffix("__c") && name.first!.isLetter
            && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
    }

    /// A schema for a custom object.
    static func custom(_ name: String, keyPrefix: String) -> SObjectSchema {
        SObjectSchema(name: name, keyPrefix: keyPrefix, fields: ["Name", "OwnerId", "RecordTypeId"], required: [],
                      supportsPushTopics: true, compoundName: false)
    }
}
