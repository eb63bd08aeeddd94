import Foundation
import HTTPTransport

/// The REST API under `/services/data/v<ver>/`: SOQL queries with pagination and sObject records.
extension SimulatedOrg {
    /// Most unfinished query results kept; beyond it an arbitrary one is dropped (its locator expires).
    static let maxOpenCursors = 1000

    func rest(_ request: HTTPRequest, path: String, query: String) -> HTTPResponse {
        func fail(_ e: SimulatedRecordError) -> HTTPResponse { Self.json(e.status, e.json) }
        let parts = path.dropFirst("/services/data/".count).split(separator: "/", omittingEmptySubsequences: false)
            .map(String.init)
        guard let v = parts.first, v.hasPrefix("v"), Double(v.dropFirst()) != nil else { return fail(.notFound()) }
        let version = String(v.dropFirst())
        guard let token = Self.bearerToken(request), let session = sessions[token] else {
            return Self.json(401, [["message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"]])
        }
        let rest = Array(parts.dropFirst())
        let params = Self.formFields(Data(query.utf8))
        func methodNotAllowed(_ allowed: String) -> HTTPResponse {
            Self.json(405, [["errorCode": "METHOD_NOT_ALLOWED",
                             "message": .string("HTTP Method '\(request.method.rawValue)' not allowed. Allowed are \(allowed)")]])
        }
        func body() throws(SimulatedRecordError) -> JSONObject {
            guard let data = request.body, let json = try? JSONValue(parsing: data), let object = json.objectValue else {
                throw SimulatedRecordError(errorCode: "JSON_PARSER_ERROR", message: "The request body is not a JSON object")
            }
            return object
        }
        do throws(SimulatedRecordError) {
            switch (rest.first, rest.count) {
            case ("query"?, 1), ("queryAll"?, 1):
                guard request.method == .get else { return methodNotAllowed("GET,HEAD") }
                guard let soql = params["q"], !soql.isEmpty else {
                    throw SimulatedRecordError(errorCode: "MALFORMED_QUERY", message: "A query string has to be specified")
                }
                let rows = try runQuery(soql).map { restRecord($0, version: version) }
                return Self.json(200, queryPage(rows, total: rows.count, version: version))
            case ("query"?, 2):
                guard request.method == .get else { return methodNotAllowed("GET,HEAD,DELETE") }
                return Self.json(200, try nextPage(rest[1]))
            case ("sobjects"?, 2):
                guard request.method == .post else { return methodNotAllowed("GET,HEAD,POST") }
                let id = try insertRecord(type: rest[1], fields: try body(), user: session.user)
                return Self.json(201, ["id": .string(id), "success": true, "errors": []])
            case ("sobjects"?, 3):
                let (type, id) = (rest[1], rest[2])
                switch request.method {
                case .get:
                    let fields = params["fields"].map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
                    return Self.json(200, try readRecord(type: type, id: id, fields: fields, version: version))
                case .patch:
                    try modifyRecord(id: id, type: try knownType(type), fields: try body(), user: session.user)
                    return HTTPResponse(status: 204, headers: [], body: Data())
                case .delete:
                    try removeRecord(id: id, type: try knownType(type), user: session.user)
                    return HTTPResponse(status: 204, headers: [], body: Data())
                default:
                    return methodNotAllowed("GET,PATCH,HEAD,DELETE")
                }
            default:
                throw SimulatedRecordError.notFound()
            }
        } catch {
            return fail(error)
        }
    }

    private func knownType(_ type: String) throws(SimulatedRecordError) -> String {
        guard let schema = store.schema(type) else { throw .notFound() }
        return schema.name
    }

    /// A record as the REST API shows it: `attributes` plus fields.
    func restRecord(_ record: RecordStore.Record, version: String) -> JSONValue {
        var fields = record.fields
        let url = "/services/data/v\(version)/sobjects/\(record.type)" + (fields["Id"]?.stringValue.map { "/\($0)" } ?? "")
        fields["attributes"] = ["type": .string(record.type), "url": .string(url)]
        return .object(fields)
    }

    private func readRecord(type: String, id: String, fields wanted: [String]?,
                            version: String) throws(SimulatedRecordError) -> JSONValue {
        guard let schema = store.schema(type), let stored = store.resolve(id), let record = store.records[stored],
              record.type == schema.name, !record.isDeleted else { throw .notFound() }
        var shown: JSONObject = [:]
        if let wanted {
            for name in wanted {
                guard let f = store.field(name, of: schema) else { throw .noSuchColumn(name, on: schema.name) }
                shown[f] = record.fields[f] ?? .null
            }
        } else {
            for f in SObjectSchema.systemFields + schema.fields { shown[f] = .null }
            for (k, v) in record.fields { shown[k] = v }
        }
        return restRecord(RecordStore.Record(type: record.type, fields: shown), version: version)
    }

    /// The first page of `rows`, storing the rest behind a `nextRecordsUrl`.
    private func queryPage(_ rows: [JSONValue], total: Int, version: String) -> JSONValue {
        let size = configuration.queryPageSize
        guard rows.count > size else {
            return ["totalSize": .int(Int64(total)), "done": true, "records": .array(rows)]
        }
        let locator = "01g" + Self.randomID(length: 15, alphabet: Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"))
        let offset = total - rows.count + size
        if store.cursors.count >= Self.maxOpenCursors { store.cursors.remove(at: store.cursors.startIndex) }
        store.cursors[locator] = RecordStore.Cursor(records: Array(rows.dropFirst(size)), apiVersion: version)
        return ["totalSize": .int(Int64(total)), "done": false,
                "nextRecordsUrl": .string("/services/data/v\(version)/query/\(locator)-\(offset)"),
                "records": .array(Array(rows.prefix(size)))]
    }

    private func nextPage(_ locatorAndOffset: String) throws(SimulatedRecordError) -> JSONValue {
        let parts = locatorAndOffset.split(separator: "-", maxSplits: 1).map(String.init)
        guard parts.count == 2, let offset = Int(parts[1]), let cursor = store.cursors.removeValue(forKey: parts[0]) else {
            throw SimulatedRecordError(errorCode: "INVALID_QUERY_LOCATOR", message: "invalid query locator")
        }
        let total = offset + cursor.records.count
        return queryPage(cursor.records, total: total, version: cursor.apiVersion)
    }
}
