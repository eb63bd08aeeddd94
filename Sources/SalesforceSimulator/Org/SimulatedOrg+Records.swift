import Foundation

/// The org's records: create, update, delete and undelete (each notifying the matching
/// PushTopics), reads and SOQL queries. The REST API and the control API call these.
extension SimulatedOrg {
    /// What happened to a record; the PushTopic event `type`.
    enum RecordOperation: String {
        case created, updated, deleted, undeleted
    }

    // MARK: Public API

    /// Creates a record as `user` (a username or user ID; `nil` = the first configured user) and
    /// returns its 18-character ID. Validates like Salesforce (required fields, known fields,
    /// record type, PushTopic rules) and notifies every matching PushTopic.
    @discardableResult
    public func createRecord(_ type: String, fields: JSONObject,
                             as user: String? = nil) throws(SimulatedRecordError) -> String {
        try insertRecord(type: type, fields: fields, user: resolveUser(user))
    }

    /// Updates fields of a live record as `user`; notifies matching PushTopics of the changed fields.
    public func updateRecord(_ id: String, fields: JSONObject,
                             as user: String? = nil) throws(SimulatedRecordError) {
        try modifyRecord(id: id, type: nil, fields: fields, user: resolveUser(user))
    }

    /// Deletes a record (moves it to the recycle bin) as `user`; notifies matching PushTopics.
    public func deleteRecord(_ id: String, as user: String? = nil) throws(SimulatedRecordError) {
        try removeRecord(id: id, type: nil, user: resolveUser(user))
    }

    /// Restores a deleted record as `user`; notifies matching PushTopics.
    public func undeleteRecord(_ id: String, as user: String? = nil) throws(SimulatedRecordError) {
        try restoreRecord(id: id, user: resolveUser(user))
    }

    /// A record's fields (system fields included; `IsDeleted` is true in the recycle bin), or nil.
    public func record(_ id: String) -> JSONObject? {
        store.resolve(id).flatMap { store.records[$0]?.fields }
    }

    /// Runs a SOQL query over live records; each record holds the selected fields (nulls included).
    public func query(_ soql: String) throws(SimulatedRecordError) -> [JSONObject] {
        try runQuery(soql).map { $0.fields }
    }

    // MARK: Users

    func resolveUser(_ who: String?) throws(SimulatedRecordError) -> SimulatedUser {
        guard let who else {
            guard let first = configuration.users.first else {
                throw SimulatedRecordError(errorCode: "INVALID_USER", message: "the org has no users")
            }
            return first
        }
        let lower = who.lowercased()
        if let user = configuration.users.first(where: {
            $0.username.lowercased() == lower || $0.userID == who || $0.userID.prefix(15) == who
        }) { return user }
        throw SimulatedRecordError(errorCode: "INVALID_USER", message: "no such user in the simulated org: \(who)")
    }

    // MARK: Writes

    /// Input fields in canonical spelling, refusing unknown, read-only and non-scalar fields.
    private func writableFields(_ fields: JSONObject,
                                of schema: SObjectSchema) throws(SimulatedRecordError) -> JSONObject {
        var result: JSONObject = [:]
        for key in fields.keys.sorted() {
            let value = fields[key]!
            guard let name = store.field(key, of: schema) else {
                throw SimulatedRecordError(errorCode: "INVALID_FIELD",
                                           message: "No such column '\(key)' on sobject of type \(schema.name)",
                                           fields: [key])
            }
            if SObjectSchema.systemFieldSet.contains(name) || (schema.compoundName && name == "Name") {
                throw SimulatedRecordError(
                    errorCode: "INVALID_FIELD_FOR_INSERT_UPDATE",
                    message: "Unable to create/update fields: \(name). Please check the security settings of this "
                        + "field and verify that it is read/write for your profile or permission set.",
                    fields: [name])
            }
            switch value {
            case .array, .object:
                throw SimulatedRecordError(errorCode: "JSON_PARSER_ERROR",
                                           message: "Cannot deserialize instance of \(name) from a JSON array or object",
                                           fields: [name])
            default: result[name] = value
            }
        }
        return result
    }

    private func checkRequired(_ fields: JSONObject, of schema: SObjectSchema) throws(SimulatedRecordError) {
        let missing = schema.required.filter { name in
            switch fields[name] {
            case nil, .null?: true
            case .string(let s)?: s.trimmingCharacters(in: .whitespaces).isEmpty
            default: false
            }
        }
        guard missing.isEmpty else {
            throw SimulatedRecordError(errorCode: "REQUIRED_FIELD_MISSING",
                                       message: "Required fields are missing: [\(missing.joined(separator: ", "))]",
                                       fields: missing)
        }
    }

    private func checkRecordType(_ fields: JSONObject, of schema: SObjectSchema) throws(SimulatedRecordError) {
        guard let value = fields["RecordTypeId"], value != .null else { return }
        let id = value.stringValue ?? ""
        guard let stored = store.resolve(id), let rt = store.records[stored], rt.type == "RecordType", !rt.isDeleted,
              rt.fields["SobjectType"]?.stringValue == schema.name else {
            throw SimulatedRecordError(errorCode: "INVALID_CROSS_REFERENCE_KEY",
                                       message: "Record Type ID: this ID value isn't valid for the user: \(id)",
                                       fields: ["RecordTypeId"])
        }
    }

    private func computeName(_ fields: inout JSONObject, of schema: SObjectSchema) {
        guard schema.compoundName else { return }
        let parts = [fields["FirstName"]?.stringValue, fields["LastName"]?.stringValue].compactMap { $0 }
            .filter { !$0.isEmpty }
        fields["Name"] = parts.isEmpty ? .null : .string(parts.joined(separator: " "))
    }

    /// REST-style timestamp: `2024-01-31T10:00:00.000+0000`.
    func recordTimestamp() -> String {
        let iso = timestamp() // 2024-01-31T10:00:00.000Z
        return iso.hasSuffix("Z") ? String(iso.dropLast()) + "+0000" : iso
    }

    func insertRecord(type: String, fields input: JSONObject, user: SimulatedUser,
                      seeding: Bool = false) throws(SimulatedRecordError) -> String {
        guard let schema = store.schema(type) else { throw .invalidType(type) }
        var fields = try writableFields(input, of: schema)
        if schema.name == "PushTopic" { fields = try validatePushTopic(fields, id: nil) }
        computeName(&fields, of: schema)
        try checkRequired(fields, of: schema)
        if !seeding { try checkRecordType(fields, of: schema) }
        let id = store.newID(prefix: schema.keyPrefix)
        let now = recordTimestamp()
        fields["Id"] = .string(id)
        fields["IsDeleted"] = false
        fields["CreatedDate"] = .string(now)
        fields["CreatedById"] = .string(user.userID)
        fields["LastModifiedDate"] = .string(now)
        fields["LastModifiedById"] = .string(user.userID)
        fields["SystemModstamp"] = .string(now)
        if schema.fields.contains("OwnerId"), fields["OwnerId"] == nil { fields["OwnerId"] = .string(user.userID) }
        let record = RecordStore.Record(type: schema.name, fields: fields)
        store.insert(record, id: id)
        if schema.name == "PushTopic" {
            adoptTopicChannel(id: id, name: fields["Name"]?.stringValue ?? "")
        } else {
            notifyPushTopics(.created, record: record, changed: [])
        }
        return id
    }

    /// The live record `id` (of `type`, when given).
    private func liveRecord(_ id: String, type: String?) throws(SimulatedRecordError) -> (String, RecordStore.Record) {
        guard let stored = store.resolve(id), let record = store.records[stored],
              type.map({ $0.lowercased() == record.type.lowercased() }) ?? true else { throw .notFound() }
        guard !record.isDeleted else {
            throw SimulatedRecordError(errorCode: "ENTITY_IS_DELETED", message: "entity is deleted", status: 404)
        }
        return (stored, record)
    }

    func modifyRecord(id: String, type: String?, fields input: JSONObject,
                      user: SimulatedUser) throws(SimulatedRecordError) {
        let (stored, old) = try liveRecord(id, type: type)
        guard let schema = store.schema(old.type) else { throw .invalidType(old.type) }
        let changes = try writableFields(input, of: schema)
        var fields = old.fields.merging(changes) { $1 }
        if schema.name == "PushTopic" { fields = try validatePushTopic(fields, id: stored) }
        computeName(&fields, of: schema)
        try checkRequired(fields, of: schema)
        try checkRecordType(changes, of: schema)
        let now = recordTimestamp()
        fields["LastModifiedDate"] = .string(now)
        fields["LastModifiedById"] = .string(user.userID)
        fields["SystemModstamp"] = .string(now)
        let record = RecordStore.Record(type: old.type, fields: fields)
        store.replace(stored, with: record)
        let changed = Set(fields.keys.filter {
            !SObjectSchema.systemFieldSet.contains($0) && (old.fields[$0] ?? .null) != (fields[$0] ?? .null)
        })
        if schema.name == "PushTopic" {
            if let name = fields["Name"]?.stringValue, changed.contains("Name") { adoptTopicChannel(id: stored, name: name) }
        } else if !changed.isEmpty {
            notifyPushTopics(.updated, record: record, changed: changed)
        }
    }

    func removeRecord(id: String, type: String?, user: SimulatedUser) throws(SimulatedRecordError) {
        let (stored, old) = try liveRecord(id, type: type)
        var fields = old.fields
        let now = recordTimestamp()
        fields["IsDeleted"] = true
        fields["LastModifiedDate"] = .string(now)
        fields["LastModifiedById"] = .string(user.userID)
        fields["SystemModstamp"] = .string(now)
        store.replace(stored, with: RecordStore.Record(type: old.type, fields: fields))
        if old.type != "PushTopic" { notifyPushTopics(.deleted, record: old, changed: []) }
    }

    func restoreRecord(id: String, user: SimulatedUser) throws(SimulatedRecordError) {
        guard let stored = store.resolve(id), let old = store.records[stored] else { throw .notFound() }
        guard old.isDeleted else {
            throw SimulatedRecordError(errorCode: "UNDELETE_FAILED", message: "Entity is not in the recycle bin")
        }
        var fields = old.fields
        if old.type == "PushTopic" { fields = try validatePushTopic(fields, id: stored) }
        let now = recordTimestamp()
        fields["IsDeleted"] = false
        fields["LastModifiedDate"] = .string(now)
        fields["LastModifiedById"] = .string(user.userID)
        fields["SystemModstamp"] = .string(now)
        let record = RecordStore.Record(type: old.type, fields: fields)
        store.replace(stored, with: record)
        if old.type != "PushTopic" { notifyPushTopics(.undeleted, record: record, changed: []) }
    }

    // MARK: Queries

    /// A query resolved against the schema: canonical object and field names.
    struct ResolvedQuery {
        var schema: SObjectSchema
        var query: SOQLQuery
    }

    /// Canonical names for the query's object and fields; INVALID_TYPE / INVALID_FIELD otherwise.
    func resolve(_ parsed: SOQLQuery) throws(SimulatedRecordError) -> ResolvedQuery {
        guard let schema = store.schema(parsed.object) else { throw .invalidType(parsed.object) }
        var query = parsed
        query.object = schema.name
        var unknown: String?
        func canonical(_ name: String) -> String {
            if let f = store.field(name, of: schema) { return f }
            if unknown == nil { unknown = name }
            return name
        }
        query.fields = parsed.fields.map { $0.hasSuffix("()") || $0.contains(".") ? $0 : canonical($0) }
        query.condition = parsed.condition?.renamingFields { $0.contains(".") ? $0 : canonical($0) }
        query.orderBy = parsed.orderBy.map { SOQLOrder(field: canonical($0.field), ascending: $0.ascending) }
        if let unknown { throw .noSuchColumn(unknown, on: schema.name) }
        return ResolvedQuery(schema: schema, query: query)
    }

    /// Runs a REST query: live records matching WHERE, ordered and limited, with the SELECT fields.
    func runQuery(_ soql: String) throws(SimulatedRecordError) -> [RecordStore.Record] {
        let parsed: SOQLQuery
        do { parsed = try SOQLQuery(parsing: soql) } catch {
            throw SimulatedRecordError(errorCode: "MALFORMED_QUERY", message: error.message)
        }
        let notRun = parsed.unsupported.filter { !["LIMIT", "ORDER BY", "NOT"].contains($0) }
        if let first = notRun.first {
            throw SimulatedRecordError(errorCode: "MALFORMED_QUERY",
                                       message: "\(first) is not supported by the simulated org")
        }
        let resolved = try resolve(parsed)
        let query = resolved.query
        var rows = store.live(resolved.schema.name).map(\.record)
        if let condition = query.condition { rows = rows.filter { condition.matches($0.fields) } }
        if !query.orderBy.isEmpty {
            rows.sort { a, b in
                for key in query.orderBy {
                    let x = a.fields[key.field] ?? .null, y = b.fields[key.field] ?? .null
                    if x == y { continue }
                    let ascending = Self.sortsBefore(x, y)
                    return key.ascending ? ascending : !ascending
                }
                return false
            }
        }
        if let limit = query.limit { rows = Array(rows.prefix(limit)) }
        return rows.map { row in
            var selected: JSONObject = [:]
            for f in query.fields { selected[f] = row.fields[f] ?? .null }
            return RecordStore.Record(type: row.type, fields: selected)
        }
    }

    /// Nulls first, then numbers, then text without regard to case.
    static func sortsBefore(_ x: JSONValue, _ y: JSONValue) -> Bool {
        if x == .null { return true }
        if y == .null { return false }
        if let a = SOQLExpression.text(x), let b = SOQLExpression.text(y) {
            if let m = Double(a), let n = Double(b) { return m < n }
            return a.compare(b, options: [.caseInsensitive]) == .orderedAscending
        }
        return false
    }
}
