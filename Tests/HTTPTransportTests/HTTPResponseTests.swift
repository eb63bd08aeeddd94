import Foundation
import HTTPTransport
import Testing

@Suite("HTTPResponse body")
struct HTTPResponseTests {
    @Test("body and bytes are two views of one body: either initializer, either setter")
    func bodyAndBytes() {
        var response = HTTPResponse(status: 200, body: Data("hello".utf8))
        #expect(response.bytes == Array("hello".utf8))
        response.bytes = Array("bye".utf8)
        #expect(response.body == Data("bye".utf8))
        response.body = Data()
        #expect(response.bytes.isEmpty)
        #expect(HTTPResponse(status: 204, bytes: [1, 2]).body == Data([1, 2]))
        #expect(HTTPResponse(status: 204).bytes.isEmpty)
    }
}
