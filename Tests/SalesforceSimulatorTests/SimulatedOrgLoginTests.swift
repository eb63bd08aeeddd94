import Foundation
import HTTPTransport
import Testing
@testable import SalesforceSimulator

@Suite("Logins")
struct SimulatedOrgLoginTests {
    let org = TestStreamingClient.makeOrg()

    func soap(_ username: String, _ password: String) async throws -> HTTPResponse {
        let xml = """
        <?xml version="1.0" encoding="utf-8" ?><env:Envelope xmlns:xsd="http://www.w3.org/2001/XMLSchema" \
        xmlns:env="http://schemas.xmlsoap.org/soap/envelope/" xmlns:urn="urn:partner.soap.sforce.com"><env:Body>\
        <urn:login><urn:username>\(username)</urn:username><urn:password>\(password)</urn:password></urn:login>\
        </env:Body></env:Envelope>
        """
        return try await SimulatorHTTPClient(org: org).send(HTTPRequest(
            method: .post, url: "http://sim.test/services/Soap/u/59.0",
            headers: [("Content-Type", "text/xml; charset=UTF-8"), ("SOAPAction", "login")], body: Data(xml.utf8)))
    }

    func oauth(_ fields: String) async throws -> (Int, JSONValue) {
        let response = try await SimulatorHTTPClient(org: org).send(HTTPRequest(
            method: .post, url: "http://sim.test/services/oauth2/token",
            headers: [("Content-Type", "application/x-www-form-urlencoded")], body: Data(fields.utf8)))
        return (response.status, try JSONValue(parsing: response.body))
    }

    @Test("SOAP login with password+token returns a session, serverUrl and userInfo")
    func soapLoginSucceeds() async throws {
        let response = try await soap("demo@example.com", "demo-passworddemo-token")
        #expect(response.status == 200)
        let xml = String(decoding: response.body, as: UTF8.self)
        let session = try #require(SimulatedOrg.xmlElement("sessionId", in: xml))
        #expect(session.hasPrefix("00D000000000001!"))
        #expect(SimulatedOrg.xmlElement("serverUrl", in: xml) == "http://sim.test/services/Soap/u/59.0/00D000000000001EAA")
        #expect(SimulatedOrg.xmlElement("organizationId", in: xml) == "00D000000000001EAA")
        #expect(SimulatedOrg.xmlElement("userName", in: xml) == "demo@example.com")
        #expect(SimulatedOrg.xmlElement("userId", in: xml) == "005000000000001AAA")
        #expect(await org.stats().sessions == 1)
    }

    @Test("SOAP login with a wrong password answers Salesforce's INVALID_LOGIN fault with HTTP 500")
    func soapLoginFails() async throws {
        let response = try await soap("demo@example.com", "demo-password")
        #expect(response.status == 500)
        let xml = String(decoding: response.body, as: UTF8.self)
        #expect(SimulatedOrg.xmlElement("faultcode", in: xml) == "sf:INVALID_LOGIN")
        #expect(SimulatedOrg.xmlElement("faultstring", in: xml)
            == "INVALID_LOGIN: Invalid username, password, security token; or user locked out.")
        #expect(await org.stats().sessions == 0)
    }

    @Test("OAuth password flow returns the token JSON Salesforce returns")
    func oauthSucceeds() async throws {
        let (status, json) = try await oauth("grant_type=password&client_id=demo-consumer-key&client_secret=demo-consumer-secret"
            + "&username=demo%40example.com&password=demo-passworddemo-token")
        #expect(status == 200)
        #expect(json["instance_url"] == "http://sim.test")
        #expect(json["token_type"] == "Bearer")
        #expect(json["id"] == "http://sim.test/id/00D000000000001EAA/005000000000001AAA")
        #expect(json["access_token"]?.stringValue?.isEmpty == false)
        #expect(json["issued_at"]?.stringValue.flatMap { Int64($0) } != nil)
        #expect(json["signature"] != nil)
    }

    @Test("OAuth errors: invalid_grant, invalid_client_id, invalid_client, unsupported_grant_type")
    func oauthErrors() async throws {
        let user = "&username=demo%40example.com&password=demo-passworddemo-token"
        var (status, json) = try await oauth("grant_type=password&client_id=demo-consumer-key&client_secret=demo-consumer-secret"
            + "&username=demo%40example.com&password=wrong")
        #expect(status == 400)
        #expect(json == ["error": "invalid_grant", "error_description": "authentication failure"])
        (status, json) = try await oauth("grant_type=password&client_id=nope&client_secret=demo-consumer-secret" + user)
        #expect(status == 400 && json["error"] == "invalid_client_id")
        (status, json) = try await oauth("grant_type=password&client_id=demo-consumer-key&client_secret=nope" + user)
        #expect(status == 400 && json["error"] == "invalid_client")
        (status, json) = try await oauth("grant_type=authorization_code&client_id=demo-consumer-key" + user)
        #expect(status == 400 && json["error"] == "unsupported_grant_type")
    }
}
