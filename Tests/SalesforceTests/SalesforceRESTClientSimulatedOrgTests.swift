import Foundation
import HTTPTransport
import SalesforceSimulator
import Testing
@testable import Salesforce

/// The framework's real REST client and SOAP login against the simulated org (no network): proves
/// the simulator answers in the shapes the client expects.
@Suite("SalesforceRESTClient against SimulatedOrg")
struct SalesforceRESTClientSimulatedOrgTests {
    static func makeClient(_ org: SimulatedOrg, username: String = "demo@example.com",
                           password: String = "demo-password", token: String = "demo-token") -> SalesforceRESTClient {
        let http = SimulatorHTTPClient(org: org)
        let login = SOAPLogin(username: username, password: password, securityToken: token,
                              loginURL: "http://sim.test", apiVersion: "64.0", httpClient: http)
        return SalesforceRESTClient(connection: SalesforceConnection(authenticator: login, httpClient: http),
                                    apiVersion: "64.0")
    }

    static func makeOrg(pageSize: Int = 2000) -> SimulatedOrg {
        SimulatedOrg(configuration: SimulatorConfiguration(baseURL: "http://sim.test", queryPageSize: pageSize))
    }

    @Test("create, get, update, query with pagination and delete through SalesforceRESTClient")
    func crudAndPagination() async throws {
        let org = Self.makeOrg(pageSize: 2)
        let client = Self.makeClient(org)
        var ids: [String] = []
        for n in 1...5 { ids.append(try await client.create("Account", fields: ["Name": .string("O'Brien \(n)")])) }
        #expect(ids.allSatisfy { $0.hasPrefix("001") && $0.count == 18 })

        let record = try await client.get("Account", id: ids[0], fields: ["Name", "LastModifiedById"])
        #expect(record["Name"] == "O'Brien 1")
        #expect(record["LastModifiedById"] == "005000000000001AAA")

        try await client.update("Account", id: ids[0], fields: ["Industry": "Tech"])
        #expect(try await client.get("Account", id: ids[0])["Industry"] == "Tech")

        let all = try await client.query("SELECT Id, Name FROM Account WHERE Name != " + SOQL.quote("nobody' OR Name = '"))
        #expect(all.compactMap { $0["Id"]?.stringValue } == ids)
        let quoted = try await client.query("SELECT Id FROM Account WHERE Name = " + SOQL.quote("O'Brien 3"))
        #expect(quoted.compactMap { $0["Id"]?.stringValue } == [ids[2]])

        try await client.delete("Account", id: ids[0])
        await #expect {
            _ = try await client.get("Account", id: ids[0])
        } throws: { ($0 as? SalesforceAPIError)?.errorCode == "NOT_FOUND" }
        #expect(try await client.query("SELECT Id FROM Account").count == 4)
    }

    @Test("Salesforce errors surface as SalesforceAPIError with code, message and fields")
    func errors() async throws {
        let client = Self.makeClient(Self.makeOrg())
        await #expect {
            _ = try await client.create("Contact", fields: ["FirstName": "x"])
        } throws: { error in
            let e = error as? SalesforceAPIError
            return e?.errorCode == "REQUIRED_FIELD_MISSING" && e?.fields == ["LastName"] && e?.status == 400
        }
        await #expect {
            _ = try await client.query("SELECT Id FROM Account ORDER")
        } throws: { ($0 as? SalesforceAPIError)?.errorCode == "MALFORMED_QUERY" }
    }

    @Test("an expired session is refreshed once by logging in again, and the request succeeds")
    func sessionRefresh() async throws {
        let org = Self.makeOrg()
        let client = Self.makeClient(org)
        _ = try await client.create("Account", fields: ["Name": "A"])
        await org.inject(fault: .expireSessions)
        #expect(try await client.query("SELECT Id FROM Account").count == 1)
    }
}
