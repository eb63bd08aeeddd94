/// PushTopic records: validation as Salesforce does it, their channels, and the notifications
/// record changes generate.
extension SimulatedOrg {
    static let maxTopicNameLength = 25
    static let maxTopicQueryLength = 1300
    static let notifyForFieldsValues = ["All", "Referenced", "Select", "Where"]
    static let topicOperationFlags = ["NotifyForOperationCreate", "NotifyForOperationUpdate",
                                      "NotifyForOperationDelete", "NotifyForOperationUndelete"]

    /// The PushTopic's fields with defaults filled in, or the error Salesforce answers.
    func validatePushTopic(_ input: JSONObject, id: String?) throws(SimulatedRecordError) -> JSONObject {
        var fields = input
        for flag in Self.topicOperationFlags + ["IsActive"] where fields[flag] == nil || fields[flag] == .null {
            fields[flag] = true
        }
        for flag in Self.topicOperationFlags + ["IsActive"] {
            guard case .bool = fields[flag]! else {
                throw SimulatedRecordError(errorCode: "JSON_PARSER_ERROR",
                                           message: "Cannot deserialize instance of boolean for \(flag)", fields: [flag])
            }
        }
        if fields["NotifyForFields"] == nil || fields["NotifyForFields"] == .null { fields["NotifyForFields"] = "Referenced" }
        let notify = fields["NotifyForFields"]?.stringValue ?? ""
        guard let canonical = Self.notifyForFieldsValues.first(where: { $0.lowercased() == notify.lowercased() }) else {
            throw SimulatedRecordError(errorCode: "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                                       message: "bad value for restricted picklist field: \(notify)",
                                       fields: ["NotifyForFields"])
        }
        fields["NotifyForFields"] = .string(canonical)

        // Name.
        guard case .string(let name)? = fields["Name"], !name.isEmpty else {
            throw SimulatedRecordError(errorCode: "REQUIRED_FIELD_MISSING", message: "Required fields are missing: [Name]",
                                       fields: ["Name"])
        }
        guard name.count <= Self.maxTopicNameLength else {
            throw SimulatedRecordError(errorCode: "STRING_TOO_LONG",
                                       message: "Topic Name: data value too large: \(name) (max length=\(Self.maxTopicNameLength))",
                                       fields: ["Name"])
        }
        guard SimulatedChannelKind(channel: "/topic/\(name)") == .pushTopic, name.allSatisfy(\.isASCII) else {
            throw SimulatedRecordError(errorCode: "FIELD_INTEGRITY_EXCEPTION",
                                       message: "Topic Name: only letters, digits and underscores are allowed: \(name)",
                                       fields: ["Name"])
        }
        if let other = store.live("PushTopic").first(where: {
            $0.id != id && $0.record.fields["Name"]?.stringValue?.lowercased() == name.lowercased()
        }) {
            throw SimulatedRecordError(errorCode: "DUPLICATE_VALUE",
                                       message: "duplicate value found: Name duplicates value on record with id: \(other.id)",
                                       fields: ["Name"])
        }

        // ApiVersion.
        let version: Double? = switch fields["ApiVersion"] {
        case .int(let i)?: Double(i)
        case .double(let d)?: d
        case .string(let s)?: Double(s)
        default: nil
        }
        guard let version else {
            throw SimulatedRecordError(errorCode: "REQUIRED_FIELD_MISSING", message: "Required fields are missing: [ApiVersion]",
                                       fields: ["ApiVersion"])
        }
        guard version >= 21.0, version <= Double(Self.latestAPIVersion)! else {
            throw SimulatedRecordError(errorCode: "FIELD_INTEGRITY_EXCEPTION",
                                       message: "ApiVersion: the API version must be between 21.0 and \(Self.latestAPIVersion)",
                                       fields: ["ApiVersion"])
        }
        fields["ApiVersion"] = .double(version)

        // Query.
        guard case .string(let text)? = fields["Query"], !text.isEmpty else {
            throw SimulatedRecordError(errorCode: "REQUIRED_FIELD_MISSING", message: "Required fields are missing: [Query]",
                                       fields: ["Query"])
        }
        guard text.count <= Self.maxTopicQueryLength else {
            throw SimulatedRecordError(errorCode: "STRING_TOO_LONG",
                                       message: "Query: data value too large: \(text.prefix(50))... (max length=\(Self.maxTopicQueryLength))",
                                       fields: ["Query"])
        }
        let resolved = try topicQuery(text).query
        // NotifyForFields needs fields other than Id in the clauses it watches.
        let selectOthers = resolved.fields.contains { $0 != "Id" }
        let whereOthers = resolved.whereFields.contains { $0 != "Id" }
        let problem: String? = switch canonical {
        case "Select" where !selectOthers: "the SELECT clause must have at least one field other than Id"
        case "Where" where !whereOthers: "the WHERE clause must have at least one field other than Id"
        case "Referenced" where !selectOthers && !whereOthers:
            "the SELECT or WHERE clause must have at least one field other than Id"
        default: nil
        }
        if let problem {
            throw SimulatedRecordError(errorCode: "INVALID_FIELD",
                                       message: "With NotifyForFields \(canonical), \(problem)", fields: ["NotifyForFields"])
        }
        return fields
    }

    /// A PushTopic query, parsed, checked against what PushTopics support, and resolved.
    func topicQuery(_ text: String) throws(SimulatedRecordError) -> ResolvedQuery {
        func invalid(_ message: String) -> SimulatedRecordError {
            SimulatedRecordError(errorCode: "INVALID_FIELD", message: message, fields: ["Query"])
        }
        let parsed: SOQLQuery
        do { parsed = try SOQLQuery(parsing: text) } catch { throw invalid("Invalid query: \(error.message)") }
        if let construct = parsed.unsupported.first {
            switch construct {
            case "aggregate": throw invalid("Aggregate queries are not supported in PushTopic queries")
            case "relationship": throw invalid("Relationships are not supported in PushTopic queries")
            case "semi-join": throw invalid("Semi-join and anti-join subqueries are not supported in PushTopic queries")
            case "NOT": throw invalid("NOT is not supported in PushTopic queries; use != or NOT IN")
            default: throw invalid("\(construct) is not supported in PushTopic queries")
            }
        }
        guard let schema = store.schema(parsed.object) else {
            throw invalid("sObject type '\(parsed.object)' is not supported.")
        }
        guard schema.supportsPushTopics else { throw invalid("Entity '\(schema.name)' is not supported by PushTopics") }
        let resolved: ResolvedQuery
        do { resolved = try resolve(parsed) } catch { throw invalid(error.message) }
        guard resolved.query.fields.contains("Id") else {
            throw invalid("The PushTopic query must select the Id field")
        }
        return resolved
    }

    /// Makes `/topic/<name>` exist and remembers that the topic owns it.
    func adoptTopicChannel(id: String, name: String) {
        let channel = "/topic/\(name)"
        if channels[channel] == nil { addChannel(channel, kind: .pushTopic) }
        if !(store.topicChannels[id]?.contains(channel) ?? false) { store.topicChannels[id, default: []].append(channel) }
    }

    /// Publishes a PushTopic event on every active topic the change matches.
    /// - Parameters:
    ///   - record: the record to evaluate and report (for a delete: as it was before).
    ///   - changed: the non-system fields an update changed (ignored for other operations).
    func notifyPushTopics(_ operation: RecordOperation, record: RecordStore.Record, changed: Set<String>) {
        let flag: String = switch operation {
        case .created: "NotifyForOperationCreate"
        case .updated: "NotifyForOperationUpdate"
        case .deleted: "NotifyForOperationDelete"
        case .undeleted: "NotifyForOperationUndelete"
        }
        for (id, topic) in store.live("PushTopic") {
            let t = topic.fields
            guard t["IsActive"] == .bool(true), t[flag] == .bool(true), let text = t["Query"]?.stringValue,
                  let resolved = try? topicQuery(text), resolved.schema.name == record.type else { continue }
            let query = resolved.query
            if let condition = query.condition, !condition.matches(record.fields) { continue }
            if operation == .updated {
                let selectFields = Set(query.fields)
                let whereFields = Set(query.whereFields)
                let relevant: Bool = switch t["NotifyForFields"]?.stringValue ?? "Referenced" {
                case "All": !changed.isEmpty
                case "Select": !changed.isDisjoint(with: selectFields)
                case "Where": !changed.isDisjoint(with: whereFields)
                default: !changed.isDisjoint(with: selectFields.union(whereFields))
                }
                guard relevant else { continue }
            }
            var sobject: JSONObject = [:]
            for f in query.fields { if let v = record.fields[f], v != .null { sobject[f] = v } }
            let targets = store.topicChannels[id] ?? ["/topic/\(t["Name"]?.stringValue ?? "")"]
            for channel in targets {
                do { try publish(.sobject(sobject, type: operation.rawValue), to: channel) } catch {
                    logger.warning("PushTopic notification not published",
                                   metadata: ["channel": "\(channel)", "error": "\(error)"])
                }
            }
        }
    }
}
