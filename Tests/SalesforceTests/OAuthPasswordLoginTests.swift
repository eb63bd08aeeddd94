import Foundation
import HTTPTransport
import Testing
@testable import Salesforce

@Suite("OAuthPasswordLogin")
struct OAuthPasswordLoginTests {
    private func makeLogin(_ client: ScriptedHTTPClient, loginURL: String? = nil, sandbox: Bool = false) -> OAuthPasswordLogin {
        OAuthPasswordLogin(clientID: "3MVG9.client+id", clientSecret: "s3cr&t=secret",
                           username: "ops+bot@example.com", password: "p@ss word&=%", securityToken: "T0K+EN",
                           sandbox: sandbox, loginURL: loginURL, httpClient: client)
    }

    @Test("posts a form-encoded password grant with every value percent-encoded")
    func formBody() async throws {
        let client = ScriptedHTTPClient(responses: [.json(200, Fixtures.oauthSuccess)])
        _ = try await makeLogin(client).login()
        let request = try #require(await client.requests.first)
        #expect(request.method == .post)
        #expect(request.url == "https://login.salesforce.com/services/oauth2/token")
        #expect(request.header("Content-Type") == "application/x-www-form-urlencoded")
        #expect(request.bodyText == "grant_type=password&client_id=3MVG9.client%2Bid&client_secret=s3cr%26t%3Dsecret"
            + "&username=ops%2Bbot%40example.com&password=p%40ss%20word%26%3D%25T0K%2BEN")
    }

    @Test("non-ASCII values are encoded as UTF-8 bytes")
    func utf8() {
        #expect(FormEncoding.percentEncode("Zoë ü~-._") == "Zo%C3%AB%20%C3%BC~-._")
    }

    @Test("reads access_token, instance_url and both IDs from the identity URL")
    func success() async throws {
        let client = ScriptedHTTPClient(responses: [.json(200, Fixtures.oauthSuccess)])
        let session = try await makeLogin(client).login()
        #expect(session.accessToken == "00D5g000004ABCD!AROAQOAuthSecretToken")
        #expect(session.instanceURL == "https://acme.my.salesforce.com")
        #expect(session.organizationID == "00D5g000004ABCDEAU")
        #expect(session.userID == "0055g00000ABCDEAA4")
        #expect(session.username == "ops+bot@example.com")
    }

    @Test("sandbox and explicit login URLs choose the token endpoint")
    func loginURLs() async throws {
        let sandbox = ScriptedHTTPClient(responses: [.json(200, Fixtures.oauthSuccess)])
        _ = try await makeLogin(sandbox, sandbox: true).login()
        #expect(await sandbox.requests.first?.url == "https://test.salesforce.com/services/oauth2/token")

        let myDomain = ScriptedHTTPClient(responses: [.json(200, Fixtures.oauthSuccess)])
        _ = try await makeLogin(myDomain, loginURL: "https://acme.my.salesforce.com", sandbox: true).login()
        #expect(await myDomain.requests.first?.url == "https://acme.my.salesforce.com/services/oauth2/token")
    }

    @Test("invalid_grant, invalid_client_id and invalid_client are permanent invalidCredentials",
          arguments: [
            (400, #"{"error":"invalid_grant","error_description":"authentication failure"}"#,
             "invalid_grant: authentication failure"),
            (400, #"{"error":"invalid_client_id","error_description":"client identifier invalid"}"#,
             "invalid_client_id: client identifier invalid"),
            (400, #"{"error":"invalid_client","error_description":"invalid client credentials"}"#,
             "invalid_client: invalid client credentials"),
          ])
    func oauthErrors(status: Int, body: String, reason: String) async throws {
        let client = ScriptedHTTPClient(responses: [.json(status, body)])
        let error = try await #require(throws: SalesforceLoginError.self) { try await makeLogin(client).login() }
        #expect(error == .invalidCredentials(reason))
        #expect(error.isPermanent)
    }

    @Test("server errors and malformed replies are retryable unexpected responses")
    func unexpected() async throws {
        for (status, body) in [(503, "<html>down</html>"), (200, #"{"access_token":"x"}"#),
                               (200, #"{"access_token":"x","instance_url":"https://a.my.salesforce.com","id":"nope"}"#),
                               (500, #"{"error":"server_error","error_description":"try later"}"#)] {
            let client = ScriptedHTTPClient(responses: [.json(status, body)])
            let error = try await #require(throws: SalesforceLoginError.self) { try await makeLogin(client).login() }
            guard case .unexpectedResponse(status, _) = error else {
                Issue.record("\(status) \(body): got \(error)"); continue
            }
            #expect(!error.isPermanent)
        }
    }

    @Test("transport failures are wrapped")
    func transport() async throws {
        let client = ScriptedHTTPClient(failing: .timedOut)
        let error = try await #require(throws: SalesforceLoginError.self) { try await makeLogin(client).login() }
        #expect(error == .transport(.timedOut))
    }

    @Test("error messages and descriptions never contain the password, token or client secret")
    func redaction() async throws {
        let client = ScriptedHTTPClient(responses: [.json(400,
            #"{"error":"invalid_grant","error_description":"bad p@ss word&=%T0K+EN and s3cr&t=secret"}"#)])
        let login = makeLogin(client)
        let error = try await #require(throws: SalesforceLoginError.self) { try await login.login() }
        var dumped = ""
        dump(login, to: &dumped)
        for text in ["\(error)", "\(login)", String(reflecting: login), dumped] {
            #expect(!text.contains("p@ss word"), "\(text)")
            #expect(!text.contains("T0K+EN"), "\(text)")
            #expect(!text.contains("s3cr&t"), "\(text)")
        }
        #expect("\(error)".contains("<redacted>"))
    }

    @Test("identity URL parsing takes the last two path segments after /id/")
    func identity() {
        let real = OAuthPasswordLogin.identityIDs("https://login.salesforce.com/id/00DA/005B")
        #expect(real?.organization == "00DA" && real?.user == "005B")
        let local = OAuthPasswordLogin.identityIDs("http://127.0.0.1:8080/id/00DC/005D/")
        #expect(local?.organization == "00DC" && local?.user == "005D")
        #expect(OAuthPasswordLogin.identityIDs("https://login.salesforce.com/services/x") == nil)
    }
}
