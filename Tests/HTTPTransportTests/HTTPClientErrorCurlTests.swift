import CCurl
import Testing
@testable import HTTPTransport

@Suite("Mapping libcurl results to HTTPClientError")
struct HTTPClientErrorCurlTests {
    @Test("Each libcurl failure class maps to its HTTPClientError case")
    func mapping() {
        #expect(HTTPClientError(curlCode: CURLE_OPERATION_TIMEDOUT, detail: nil) == .timedOut)
        #expect(HTTPClientError(curlCode: CURLE_COULDNT_CONNECT, detail: "refused") == .connectionFailed("refused"))
        #expect(HTTPClientError(curlCode: CURLE_COULDNT_RESOLVE_HOST, detail: "dns") == .connectionFailed("dns"))
        for code in [CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE] {
            #expect(HTTPClientError(curlCode: code, detail: "x") == .connectionLost("x"))
        }
        for code in [CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE] {
            #expect(HTTPClientError(curlCode: code, detail: "x") == .tls("x"))
        }
        #expect(HTTPClientError(curlCode: CURLE_URL_MALFORMAT, detail: "bad url") == .other("bad url"))
    }

    @Test("Without a detail message, libcurl's generic message is used")
    func fallbackMessage() {
        guard case .other(let message) = HTTPClientError(curlCode: CURLE_URL_MALFORMAT, detail: "") else {
            Issue.record("expected .other")
            return
        }
        #expect(message == String(cString: curl_easy_strerror(CURLE_URL_MALFORMAT)))
    }

    @Test("Durations become libcurl milliseconds, rounded up and never 0 (which means no limit)")
    func milliseconds() {
        #expect(Duration.seconds(10).curlMilliseconds == 10_000)
        #expect(Duration.microseconds(1500).curlMilliseconds == 2)
        #expect(Duration.zero.curlMilliseconds == 1)
        #expect(Duration.milliseconds(-5).curlMilliseconds == 1)
    }
}
