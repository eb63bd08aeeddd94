import Testing
@testable import HTTPTransport

@Suite("ResponseHeaderParser")
struct ResponseHeaderParserTests {
    private func parse(_ lines: [String]) -> ResponseHeaderParser {
        var parser = ResponseHeaderParser()
        for line in lines {
            var bytes = Array(line.utf8)
            bytes.withUnsafeMutableBytes { parser.consume(UnsafeRawBufferPointer($0)) }
        }
        return parser
    }

    @Test("Fields are split at the first colon and trimmed")
    func parsesFields() {
        let parser = parse(["HTTP/1.1 200 OK\r\n", "Content-Type:  application/json \r\n",
                            "X-Time: 12:30:00\r\n", "Set-Cookie: a=1\r\n", "Set-Cookie: b=2\r\n", "\r\n"])
        #expect(parser.headers.map(\.name) == ["Content-Type", "X-Time", "Set-Cookie", "Set-Cookie"])
        #expect(parser.headers.map(\.value) == ["application/json", "12:30:00", "a=1", "b=2"])
    }

    @Test("Only the final response's fields are kept after an interim 100 Continue")
    func interimResponseReset() {
        let parser = parse(["HTTP/1.1 100 Continue\r\n", "X-Interim: yes\r\n", "\r\n",
                            "HTTP/1.1 201 Created\r\n", "Location: /x\r\n", "Content-Length: 7\r\n", "\r\n"])
        #expect(parser.headers.map(\.name) == ["Location", "Content-Length"])
        #expect(parser.contentLength == 7)
    }

    @Test("Folded continuation lines extend the previous value; lines without a colon are ignored")
    func foldingAndGarbage() {
        let parser = parse(["HTTP/2 200\r\n", "X-Long: part one\r\n", "\t part two\r\n", "garbage\r\n", "\r\n"])
        #expect(parser.headers.count == 1)
        #expect(parser.headers.first?.value == "part one part two")
    }
}
