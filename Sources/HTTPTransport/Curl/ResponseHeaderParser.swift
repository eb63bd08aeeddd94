/// Collects the header fields of the final response from the lines libcurl hands to its
/// header callback (status line, fields, blank line; once per response, including interim
/// `1xx` responses and proxy `CONNECT` replies).
///
/// A status line starts a new response, so only the fields of the last one are kept.
struct ResponseHeaderParser {
    private(set) var headers: [(name: String, value: String)] = []
    /// The last `Content-Length` seen in the current response, if any.
    private(set) var contentLength: Int?

    private static let colon = UInt8(ascii: ":")
    private static let space = UInt8(ascii: " ")
    private static let tab = UInt8(ascii: "\t")
    private static let cr = UInt8(ascii: "\r")
    private static let lf = UInt8(ascii: "\n")

    /// Consumes one raw header line (with or without its trailing CRLF).
    mutating func consume(_ line: UnsafeRawBufferPointer) {
        var end = line.count
        while end > 0, line[end - 1] == Self.lf || line[end - 1] == Self.cr { end -= 1 }
        guard end > 0 else { return }  // blank line: end of one response's header block
        let bytes = UnsafeRawBufferPointer(rebasing: line[0..<end])

        if Self.isStatusLine(bytes) {
            headers.removeAll(keepingCapacity: true)
            contentLength = nil
            return
        }
        if bytes[0] == Self.space || bytes[0] == Self.tab {
            // Obsolete line folding: continue the previous field's value.
            guard !headers.isEmpty else { return }
            let more = Self.trimmed(bytes)
            if !more.isEmpty {
                headers[headers.count - 1].value += " " + String(decoding: more, as: UTF8.self)
            }
            return
        }
        guard let colon = bytes.firstIndex(of: Self.colon) else { return }
        let name = String(decoding: Self.trimmed(UnsafeRawBufferPointer(rebasing: bytes[0..<colon])), as: UTF8.self)
        let value = String(decoding: Self.trimmed(UnsafeRawBufferPointer(rebasing: bytes[(colon + 1)...])),
                           as: UTF8.self)
        guard !name.isEmpty else { return }
        if name.utf8.count == 14, name.lowercased() == "content-length" {
            contentLength = Int(value)
        }
        headers.append((name: name, value: value))
    }

    private static func isStatusLine(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.count >= 5 && bytes[0] == UInt8(ascii: "H") && bytes[1] == UInt8(ascii: "T")
            && bytes[2] == UInt8(ascii: "T") && bytes[3] == UInt8(ascii: "P") && bytes[4] == UInt8(ascii: "/")
    }

    private static func trimmed(_ bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        var start = 0, end = bytes.count
        while start < end, bytes[start] == space || bytes[start] == tab { start += 1 }
        while end > start, bytes[end - 1] == space || bytes[end - 1] == tab { end -= 1 }
        return UnsafeRawBufferPointer(rebasing: bytes[start..<end])
    }
}
