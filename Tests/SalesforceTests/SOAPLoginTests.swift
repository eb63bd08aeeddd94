import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import HTTPTransport
import Testing
@testable import Salesforce

@Suite("SOAPLogin")
struct SOAPLoginTests {
    private func makeLogin(_ client: ScriptedHTTPClient, password: String = "pa<ss&wo'rd\"", token: String = "TOK>EN",
                           apiVersion: String = "64.0", loginURL: String? = nil, sandbox: Bool = false) -> SOAPLogin {
        SOAPLogin(username: "o'brien@example.com", password: password, securityToken: token,
                  sandbox: sandbox, loginURL: loginURL, apiVersion: apiVersion, httpClient: client)
    }

    @Test("posts a partner login envelope with SOAPAction and XML content type")
    func requestShape() async throws {
        let client = ScriptedHTTPClient(responses: [.xml(200, Fixtures.soapLoginSuccess)])
        _ = try await makeLogin(client).login()
        let request = try #require(await client.requests.first)
        #expect(request.method == .post)
        #expect(request.url == "https://login.salesforce.com/services/Soap/u/64.0")
        #expect(request.header("Content-Type") == "text/xml; charset=UTF-8")
        #expect(request.header("SOAPAction") == "login")
        #expect(request.bodyText.contains("urn:partner.soap.sforce.com"))
    }

    @Test("XML-escapes <&'\" in username and password+token so the envelope stays well-formed")
    func escaping() async throws {
        let client = ScriptedHTTPClient(responses: [.xml(200, Fixtures.soapLoginSuccess)])
        _ = try await makeLogin(client).login()
        let body = try #require(await client.requests.first).bodyText
        #expect(body.contains("<n1:password>pa&lt;ss&amp;wo&apos;rd&quot;TOK&gt;EN</n1:password>"))
        #expect(body.contains("<n1:username>o&apos;brien@example.com</n1:username>"))
        #expect(!body.contains("pa<ss"))

        // A real XML parser reads back exactly the original values.
        let values = try #require(Self.leafTexts(of: Data(body.utf8)))
        #expect(values["password"] == "pa<ss&wo'rd\"TOK>EN")
        #expect(values["username"] == "o'brien@example.com")
    }

    @Test("an injected closing tag in the password cannot add elements to the envelope")
    func injection() async throws {
        let client = ScriptedHTTPClient(responses: [.xml(200, Fixtures.soapLoginSuccess)])
        _ = try await makeLogin(client, password: "x</n1:password><n1:evil>1</n1:evil><n1:password>", token: "").login()
        let body = try #require(await client.requests.first).bodyText
        let values = try #require(Self.leafTexts(of: Data(body.utf8)))
        #expect(values["evil"] == nil)
        #expect(values["password"] == "x</n1:password><n1:evil>1</n1:evil><n1:password>")
    }

    @Test("parses sessionId, serverUrl, userId, organizationId and userName from loginResponse")
    func success() async throws {
        let client = ScriptedHTTPClient(responses: [.xml(200, Fixtures.soapLoginSuccess)])
        let session = try await makeLogin(client).login()
        #expect(session.accessToken == "00D5g000004ABCD!AQ0AQSecretSessionToken")
        #expect(session.instanceURL == "https://acme.my.salesforce.com")
        #expect(session.userID == "0055g00000ABCDEAA4")
        #expect(session.organizationID == "00D5g000004ABCDEAU")
        #expect(session.username == "o'brien@example.com")
    }

    @Test("instance URL keeps a non-default port and plain http of a local simulator")
    func simulatorServerURL() async throws {
        let reply = Fixtures.soapLoginSuccess.replacingOccurrences(
            of: "<serverUrl>https://acme.my.salesforce.com/services/Soap/u/64.0/00D5g000004ABCD</serverUrl>",
            with: "<serverUrl>http://127.0.0.1:8443/services/Soap/u/64.0/00D5g000004ABCD</serverUrl>")
        let client = ScriptedHTTPClient(responses: [.xml(200, reply)])
        let session = try await makeLogin(client, loginURL: "http://127.0.0.1:8443/").login()
        #expect(session.instanceURL == "http://127.0.0.1:8443")
        #expect(await client.requests.first?.url == "http://127.0.0.1:8443/services/Soap/u/64.0")
    }

    @Test("calls at most API 64.0, where SOAP login() still exists, and older versions as asked")
    func versionCap() async throws {
        for (configured, called) in [("66.0", "64.0"), ("64.0", "64.0"), ("58.0", "58.0"), ("bogus", "64.0")] {
            let client = ScriptedHTTPClient(responses: [.xml(200, Fixtures.soapLoginSuccess)])
            _ = try await makeLogin(client, apiVersion: configured).login()
            #expect(await client.requests.first?.url == "https://login.salesforce.com/services/Soap/u/\(called)",
                    "configured \(configured)")
        }
    }

    @Test("sandbox logs in at test.salesforce.com")
    func sandbox() async throws {
        let client = ScriptedHTTPClient(responses: [.xml(200, Fixtures.soapLoginSuccess)])
        _ = try await makeLogin(client, sandbox: true).login()
        #expect(await client.requests.first?.url == "https://test.salesforce.com/services/Soap/u/64.0")
    }

    @Test("sf:INVALID_LOGIN fault becomes a permanent invalidCredentials error")
    func invalidLogin() async throws {
        let client = ScriptedHTTPClient(responses: [.xml(500, Fixtures.soapFault(
            "INVALID_LOGIN", "Invalid username, password, security token; or user locked out."))])
        let error = try await #require(throws: SalesforceLoginError.self) { try await makeLogin(client).login() }
        #expect(error == .invalidCredentials("INVALID_LOGIN: Invalid username, password, security token; or user locked out."))
        #expect(error.isPermanent)
    }

    @Test("other credential faults are permanent; unknown faults are retryable unexpected responses")
    func otherFaults() async throws {
        for code in ["LOGIN_MUST_USE_SECURITY_TOKEN", "PASSWORD_LOCKOUT", "API_DISABLED_FOR_ORG"] {
            let client = ScriptedHTTPClient(responses: [.xml(500, Fixtures.soapFault(code, "nope"))])
            let error = try await #require(throws: SalesforceLoginError.self) { try await makeLogin(client).login() }
            #expect(error == .invalidCredentials("\(code): nope"))
        }
        let client = ScriptedHTTPClient(responses: [.xml(500, Fixtures.soapFault("REQUEST_LIMIT_EXCEEDED", "slow down"))])
        let error = try await #require(throws: SalesforceLoginError.self) { try await makeLogin(client).login() }
        guard case .unexpectedResponse(500, let detail) = error else {
            Issue.record("expected unexpectedResponse, got \(error)"); return
        }
        #expect(detail.contains("REQUEST_LIMIT_EXCEEDED"))
        #expect(!error.isPermanent)
    }

    @Test("an HTML error page or an expired password are reported, not parsed as a session")
    func nonLoginReplies() async throws {
        let html = ScriptedHTTPClient(responses: [.xml(503, "<html><body>Service Unavailable</body></html>")])
        let error = try await #require(throws: SalesforceLoginError.self) { try await makeLogin(html).login() }
        guard case .unexpectedResponse(503, _) = error else { Issue.record("got \(error)"); return }

        let expired = ScriptedHTTPClient(responses: [.xml(200, Fixtures.soapLoginSuccess.replacingOccurrences(
            of: "<passwordExpired>false</passwordExpired>", with: "<passwordExpired>true</passwordExpired>"))])
        let expiredError = try await #require(throws: SalesforceLoginError.self) { try await makeLogin(expired).login() }
        #expect(expiredError.isPermanent)
    }

    @Test("transport failures are wrapped and are not permanent")
    func transport() async throws {
        let client = ScriptedHTTPClient(failing: .connectionFailed("refused"))
        let error = try await #require(throws: SalesforceLoginError.self) { try await makeLogin(client).login() }
        #expect(error == .transport(.connectionFailed("refused")))
        #expect(!error.isPermanent)
    }

    @Test("a server echoing the password cannot leak it through the error message")
    func echoedPasswordRedacted() async throws {
        let client = ScriptedHTTPClient(responses: [
            .xml(500, Fixtures.soapFault("UNKNOWN_EXCEPTION", "rejected password hunter22SECRETTOKEN")),
        ])
        let error = try await #require(throws: SalesforceLoginError.self) {
            try await makeLogin(client, password: "hunter22", token: "SECRETTOKEN").login()
        }
        #expect(!"\(error)".contains("hunter22"))
        #expect(!"\(error)".contains("SECRETTOKEN"))
        #expect("\(error)".contains("<redacted>"))
    }

    @Test("description and dump of the authenticator hide the password and token")
    func redactedDescription() async throws {
        let login = makeLogin(ScriptedHTTPClient(responses: []), password: "hunter22", token: "SECRETTOKEN")
        var dumped = ""
        dump(login, to: &dumped)
        for text in ["\(login)", String(reflecting: login), dumped] {
            #expect(!text.contains("hunter22"))
            #expect(!text.contains("SECRETTOKEN"))
            #expect(text.contains("o'brien@example.com"))
        }
    }

    /// Leaf element texts by local name, or nil if the document is not well-formed.
    static func leafTexts(of data: Data) -> [String: String]? {
        final class Collector: NSObject, XMLParserDelegate {
            var values: [String: String] = [:]
            var text = ""
            func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                        qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) { text = "" }
            func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }
            func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?,
                        qualifiedName qName: String?) {
                if values[elementName] == nil { values[elementName] = text }
                text = ""
            }
        }
        let collector = Collector()
        let parser = XMLParser(data: data)
        parser.shouldProcessNamespaces = true
        parser.delegate = collector
        return parser.parse() ? collector.values : nil
    }
}
