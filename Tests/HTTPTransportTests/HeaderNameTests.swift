import Testing
@testable import HTTPTransport

@Suite("HeaderName")
struct HeaderNameTests {
    @Test("header names match ignoring ASCII case, and only then")
    func asciiCase() {
        #expect(HeaderName.matches("Content-Type", "content-type"))
        #expect(HeaderName.matches("X-SFDC-Session", "x-sfdc-session"))
        #expect(HeaderName.matches("", ""))
        #expect(!HeaderName.matches("Content-Type", "Content-Typ"))
        #expect(!HeaderName.matches("Content-Type", "Content-Type "))
        #expect(!HeaderName.matches("Accept", "Accent"))
        // Bytes 0x20 apart that are not letters must not fold: "[" / "{", "@" / "`".
        #expect(!HeaderName.matches("X[", "X{"))
        #expect(!HeaderName.matches("@", "`"))
    }

    @Test("names with non-ASCII characters compare by their upper-cased forms")
    func nonASCII() {
        #expect(HeaderName.matches("Größe", "GRÖSSE"))
        #expect(HeaderName.matches("Ä", "ä"))
        #expect(!HeaderName.matches("Ä", "a"))
    }

    @Test("request and response header lookups are case-insensitive and return the first match")
    func lookups() {
        let request = HTTPRequest(method: .get, url: "http://127.0.0.1/",
                                  headers: [("Accept", "a"), ("ACCEPT", "b"), ("X-Other", "c")])
        #expect(request.header("accept") == "a")
        #expect(request.header("x-OTHER") == "c")
        #expect(request.header("Accep") == nil)
        let response = HTTPResponse(status: 200, headers: [("content-length", "5")])
        #expect(response.header("Content-Length") == "5")
        #expect(response.header("Content-Type") == nil)
    }
}
