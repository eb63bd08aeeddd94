import Salesforce
import ServiceKit
import ServiceKitTesting
import Testing

/// A service that writes through the Salesforce API dependency.
struct ContactCopier: Service {
    static let name = "contact-copier"
    @Dependency(SalesforceAPI()) var salesforce

    func copy(name: String) async throws -> String {
        try await salesforce.create("Contact", fields: ["LastName": .string(name)])
    }
}

/// Records the creates it is asked for.
actor RecordingAPI: SalesforceAPIClient {
    var created: [(String, JSONObject)] = []
    func query(_ soql: String) async throws -> [JSONObject] { [] }
    func create(_ sobject: String, fields: JSONObject) async throws -> String {
        created.append((sobject, fields))
        return "003000000000001AAA"
    }
    func update(_ sobject: String, id: String, fields: JSONObject) async throws {}
    func delete(_ sobject: String, id: String) async throws {}
    func get(_ sobject: String, id: String, fields: [String]?) async throws -> JSONObject { [:] }
}

@Suite("ServiceWorker")
struct ServiceWorkerTests {
    @Test("a handler runs with a replaced dependency and the given context data, without a container")
    func replacesDependency() async throws {
        let api = RecordingAPI()
        var worker = ServiceWorker(ContactCopier.self, contextData: ["replay_id": "42"])
        worker.replace(\.$salesforce, with: api)
        let id = try await worker.run { service in
            #expect(WorkerContext.current?.data["replay_id"] == "42")
            return try await service.copy(name: "Ada")
        }
        #expect(id == "003000000000001AAA")
        let created = await api.created
        #expect(created.count == 1)
        #expect(created.first?.0 == "Contact")
        #expect(created.first?.1["LastName"] == .string("Ada"))
    }
}

@Suite("WorkerWaiter")
struct WorkerWaiterTests {
    @Test("wait(for:) returns the finished workers once enough have finished, and times out with a count otherwise")
    func waits() async throws {
        let waiter = WorkerWaiter()
        let logger = Logger(label: "test")
        Task {
            try await Task.sleep(for: .milliseconds(50))
            await waiter.observer(WorkerContext(serviceName: "s", entrypoint: "a", logger: logger), .success(()))
        }
        let finished = try await waiter.wait(for: 1, entrypoint: "a", timeout: .seconds(5))
        #expect(finished.map(\.entrypoint) == ["a"])
        await #expect(throws: WorkerWaiterError.self) { try await waiter.wait(for: 2, timeout: .milliseconds(50)) }
    }
}

import Logging
