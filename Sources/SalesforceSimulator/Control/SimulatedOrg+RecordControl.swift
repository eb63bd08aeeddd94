import Foundation
import HTTPTransport

/// Control endpoints for records (no authentication; the acting user is named in the body):
///
/// - `POST /simulator/records` `{"type":"Contact","fields":{...},"user":"other@example.com"}` → 201 `{"id":...}`
/// - `GET /simulator/records/<id>` → the record's fields (deleted ones too, `IsDeleted` true)
/// - `PATCH /simulator/records/<id>` `{"fields":{...},"user":...}` → `{"id":...}`
/// - `DELETE /simulator/records/<id>[?user=...]` → `{"id":...}`
/// - `POST /simulator/undelete` `{"id":...,"user":...}` → `{"id":...}`
/// - `GET /simulator/query?q=<SOQL>` → `{"records":[...]}` (all of them, no pagination)
///
/// Errors: `{"error":message,"errorCode":code}` with the status the REST API would use.
extension SimulatedOrg {
    static func isRecordControlPath(_ path: String) -> Bool {
        path == "/simulator/records" || path.hasPrefix("/simulator/records/") || path == "/simulator/undelete"
            || path == "/simulator/query"
    }

    func handleRecordControl(_ request: HTTPRequest, path: String) -> HTTPResponse {
        let params = Self.formFields(Data(Self.splitURL(request.url).query.utf8))
        let body = request.body.flatMap { try? JSONValue(parsing: $0) }
        let user = body?["user"]?.stringValue ?? params["user"]
        do throws(SimulatedRecordError) {
            let acting = try resolveUser(user)
            switch (request.method, path) {
            case (.post, "/simulator/records"):
                guard let type = body?["type"]?.stringValue, let fields = body?["fields"]?.objectValue else {
                    return Self.json(400, ["error": "expected {\"type\":T,\"fields\":{...},\"user\":U}"])
                }
                let id = try insertRecord(type: type, fields: fields, user: acting)
                return Self.json(201, ["id": .string(id)])
            case (.post, "/simulator/undelete"):
                guard let id = body?["id"]?.stringValue else { return Self.json(400, ["error": "expected {\"id\":ID}"]) }
                try restoreRecord(id: id, user: acting)
                return Self.json(200, ["id": .string(id)])
            case (.get, "/simulator/query"):
                return Self.json(200, ["records": .array(try query(params["q"] ?? "").map(JSONValue.object))])
            case (_, "/simulator/records"), (_, "/simulator/undelete"), (_, "/simulator/query"):
                return Self.json(405, ["error": "method not allowed"])
            default:
                break
            }
            let id = String(path.dropFirst("/simulator/records/".count))
            switch request.method {
            case .get:
                guard let fields = record(id) else { throw .notFound() }
                return Self.json(200, .object(fields))
            case .patch:
                guard let fields = body?["fields"]?.objectValue else {
                    return Self.json(400, ["error": "expected {\"fields\":{...},\"user\":U}"])
                }
                try modifyRecord(id: id, type: nil, fields: fields, user: acting)
                return Self.json(200, ["id": .string(id)])
            case .delete:
                try removeRecord(id: id, type: nil, user: acting)
                return Self.json(200, ["id": .string(id)])
            default:
                return Self.json(405, ["error": "method not allowed"])
            }
        } catch {
            return Self.json(error.status, ["error": .string(error.message), "errorCode": .string(error.errorCode)])
        }
    }
}
