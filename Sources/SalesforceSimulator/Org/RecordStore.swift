import Foundation

/// The records of the simulated org (deleted ones included, in the recycle bin), the custom
/// objects and fields in use, and open query cursors. A value owned by the ``SimulatedOrg`` actor.
struct RecordStore: Sendable {
    struct Record: Sendable {
        /// The canonical sObject type name.
        var type: String
        /// Canonical field name → value, system fields included.
        var fields: JSONObject
        var isDeleted: Bool { fields["IsDeleted"] == .bool(true) }
    }

    /// The rest of a query result, served page by page.
    struct Cursor: Sendable {
        var records: [JSONValue]
        var apiVersion: String
    }

    private(set) var records: [String: Record] = [:]
    /// IDs in creation order (query results keep it).
    private(set) var order: [String] = []
    private var customObjects: [String: SObjectSchema] = [:]
    private var customFields: [String: [String: String]] = [:]
    private var counters: [String: Int] = [:]
    var cursors: [String: Cursor] = [:]
    /// PushTopic ID → the channels it owns (its name at creation, and any later name).
    var topicChannels: [String: [String]] = [:]

    // MARK: Schema

    /// The schema of an object (standard or custom, any letter case), creating a custom object on first use.
    mutating func schema(_ name: String) -> SObjectSchema? {
        if let s = SObjectSchema.standard(name) { return s }
        guard SObjectSchema.isCustomName(name) else { return nil }
        let key = name.lowercased()
        if let s = customObjects[key] { return s }
        let n = customObjects.count
        let digits = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        let prefix = "a" + String(digits[(n / 36) % 36]) + String(digits[n % 36])
        let s = SObjectSchema.custom(name, keyPrefix: prefix)
        customObjects[key] = s
        return s
    }

    /// The canonical spelling of a field of `schema`; custom fields are learned on first use.
    mutating func field(_ name: String, of schema: SObjectSchema) -> String? {
        if let f = schema.standardField(name) { return f }
        guard SObjectSchema.isCustomName(name) else { return nil }
        let object = schema.name.lowercased()
        if let known = customFields[object]?[name.lowercased()] { return known }
        customFields[object, default: [:]][name.lowercased()] = name
        return name
    }

    // MARK: IDs

    /// A new 18-character ID with the object's key prefix and Salesforce's case-checksum suffix.
    mutating func newID(prefix: String) -> String {
        counters[prefix, default: 0] += 1
        let number = String(counters[prefix]!)
        let id15 = prefix + String(repeating: "0", count: 12 - number.count) + number
        return Self.id18(id15)
    }

    static func id18(_ id15: String) -> String {
        let chars = Array(id15)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ012345")
        var suffix = ""
        for chunk in 0..<3 {
            var bits = 0
            for k in 0..<5 where chars[chunk * 5 + k].isUppercase && chars[chunk * 5 + k].isLetter {
                bits |= 1 << k
            }
            suffix.append(alphabet[bits])
        }
        return id15 + suffix
    }

    /// The stored ID a 15- or 18-character ID denotes.
    func resolve(_ id: String) -> String? {
        if records[id] != nil { return id }
        if id.count == 15 {
            let full = Self.id18(id)
            if records[full] != nil { return full }
        }
        return nil
    }

    // MARK: Records

    mutating func insert(_ record: Record, id: String) {
        if records.updateValue(record, forKey: id) == nil { order.append(id) }
    }

    mutating func replace(_ id: String, with record: Record) {
        records[id] = record
    }

    /// Live (not deleted) records of one type, in creation order.
    func live(_ type: String) -> [(id: String, record: Record)] {
        order.compactMap { id in
            guard let r = records[id], r.type == type, !r.isDeleted else { return nil }
            return (id, r)
        }
    }

    /// Creates `RecordType` records (at start).
    mutating func seed(recordTypes: [SimulatedRecordType], userID: String) {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let now = String(formatter.string(from: Date()).dropLast()) + "+0000"
        for rt in recordTypes {
            guard let object = schema(rt.sobjectType) else { continue }
            let id = rt.id ?? newID(prefix: "012")
            insert(Record(type: "RecordType", fields: [
                "Id": .string(id), "IsDeleted": false, "Name": .string(rt.name),
                "DeveloperName": .string(rt.developerName), "SobjectType": .string(object.name), "IsActive": true,
                "CreatedDate": .string(now), "CreatedById": .string(userID), "LastModifiedDate": .string(now),
                "LastModifiedById": .string(userID), "SystemModstamp": .string(now),
            ]), id: id)
        }
    }
}
