import Testing
@testable import Salesforce

@Suite("SalesforceSession")
struct SalesforceSessionTests {
    let session = SalesforceSession(accessToken: "00Dx!SECRET-TOKEN", instanceURL: "https://acme.my.salesforce.com",
                                    userID: "005x", organizationID: "00Dx", username: "ops@example.com")

    @Test("builds the CometD and REST URLs and the bearer header")
    func urls() {
        #expect(session.cometdURL(apiVersion: "64.0") == "https://acme.my.salesforce.com/cometd/64.0")
        #expect(session.restBaseURL(apiVersion: "64.0") == "https://acme.my.salesforce.com/services/data/v64.0")
        #expect(session.authorizationHeader.name == "Authorization")
        #expect(session.authorizationHeader.value == "Bearer 00Dx!SECRET-TOKEN")
    }

    @Test("print, interpolation, debug description and dump never show the token")
    func redaction() {
        var dumped = ""
        dump(session, to: &dumped)
        for text in ["\(session)", String(describing: session), String(reflecting: session), dumped, "\([session])"] {
            #expect(!text.contains("SECRET-TOKEN"), "\(text)")
            #expect(text.contains("acme.my.salesforce.com"))
        }
    }

    @Test("instance URL is scheme + host + port of a server URL")
    func baseURL() {
        #expect(SalesforceSession.baseURL(of: "https://acme.my.salesforce.com/services/Soap/u/64.0/00Dx")
            == "https://acme.my.salesforce.com")
        #expect(SalesforceSession.baseURL(of: "http://127.0.0.1:8080/services/Soap/u/64.0/00Dx") == "http://127.0.0.1:8080")
        #expect(SalesforceSession.baseURL(of: "HTTPS://na1.salesforce.com:443/") == "https://na1.salesforce.com:443")
        #expect(SalesforceSession.baseURL(of: "http://[::1]:9000/x") == "http://[::1]:9000")
        #expect(SalesforceSession.baseURL(of: "ftp://x/y") == nil)
        #expect(SalesforceSession.baseURL(of: "not a url") == nil)
    }
}
