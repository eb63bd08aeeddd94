import Testing
@testable import Salesforce

@Suite("SalesforceDefaults")
struct SalesforceDefaultsTests {
    @Test("login URL: production by default, test.salesforce.com for sandboxes, explicit URL wins")
    func loginURLRules() {
        #expect(SalesforceDefaults.loginURL() == "https://login.salesforce.com")
        #expect(SalesforceDefaults.loginURL(sandbox: true) == "https://test.salesforce.com")
        #expect(SalesforceDefaults.loginURL(sandbox: true, explicit: "https://acme.my.salesforce.com/")
            == "https://acme.my.salesforce.com")
        #expect(SalesforceDefaults.loginURL(sandbox: false, explicit: "http://127.0.0.1:8080") == "http://127.0.0.1:8080")
        #expect(SalesforceDefaults.loginURL(sandbox: true, explicit: "") == "https://test.salesforce.com")
    }

    @Test("default API version is 64.0, the last with SOAP login")
    func defaultVersion() {
        #expect(SalesforceDefaults.defaultAPIVersion == "64.0")
        #expect(SalesforceDefaults.soapLoginVersion(for: "65.0") == "64.0")
        #expect(SalesforceDefaults.soapLoginVersion(for: "45.0") == "45.0")
    }
}
