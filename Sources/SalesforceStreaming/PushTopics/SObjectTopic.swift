import Salesforce

/// Builds the PushTopic that `@HandleSObjectNotification` declares for an sObject type, as
/// nameko-salesforce does, with its mistakes fixed:
///
/// - name `<SObject><RecordType>`; a name over Salesforce's 25 characters is shortened
///   deterministically (a prefix plus a hash of the full name), so it is stable across restarts
///   and distinct for different objects;
/// - query `SELECT Id, Name, LastModifiedById, LastModifiedDate FROM <SObject>`, without `Name`
///   for objects that have no Name field (Case, Task, ...);
/// - conditions `RecordTypeId = '<id>'` and `LastModifiedById != '<current user>'`, with every
///   value escaped and every name validated (no SOQL injection through names or record types).
enum SObjectTopic {
    /// Standard objects PushTopics support that have no `Name` field.
    static let objectsWithoutName: Set<String> = [
        "Case", "Task", "Event", "ContractLineItem", "QuoteLineItem", "ServiceAppointment",
        "WorkOrder", "WorkOrderLineItem",
    ]

    /// Validates an sObject type or record type developer name.
    static func validatedName(_ name: String) throws(PushTopicError) -> String {
        do {
            return try SOQL.identifier(name)
        } catch {
            throw .invalidSObject(name, reason: "not a Salesforce API name (letters, digits, underscores)")
        }
    }

    /// The topic name for `sobjectType` (and `recordType`), at most 25 characters.
    static func topicName(sobjectType: String, recordType: String?) -> String {
        let full = sobjectType + (recordType ?? "")
        guard full.count > PushTopicDefinition.maxNameLength else { return full }
        let hash = String(fnv1a(full) & 0xFF_FFFF, radix: 16, uppercase: true)
        let suffix = String(repeating: "0", count: 6 - hash.count) + hash
        return String(full.prefix(PushTopicDefinition.maxNameLength - 7)) + "_" + suffix
    }

    /// The query for `sobjectType`, filtered by record type ID and excluding a user's changes.
    static func query(sobjectType: String, recordTypeID: String?, excludingUserID: String?) -> String {
        var fields = ["Id", "Name", "LastModifiedById", "LastModifiedDate"]
        if objectsWithoutName.contains(sobjectType) { fields.removeAll { $0 == "Name" } }
        var conditions: [String] = []
        if let recordTypeID { conditions.append("RecordTypeId = \(SOQL.quote(recordTypeID))") }
        if let excludingUserID { conditions.append("LastModifiedById != \(SOQL.quote(excludingUserID))") }
        var query = "SELECT \(fields.joined(separator: ", ")) FROM \(sobjectType)"
        if !conditions.isEmpty { query += " WHERE " + conditions.joined(separator: " AND ") }
        return query
    }

    /// The query that finds a record type's ID by developer name.
    static func recordTypeQuery(sobjectType: String, recordType: String) -> String {
        "SELECT Id FROM RecordType WHERE SobjectType = \(SOQL.quote(sobjectType)) AND DeveloperName = \(SOQL.quote(recordType))"
    }

    /// 64-bit FNV-1a: a stable hash (Swift's `Hasher` is seeded per process).
    static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash
    }
}
