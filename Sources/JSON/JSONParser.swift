/// A single-pass JSON parser producing ``JSONValue`` (RFC 8259, linear time).
///
/// Hand-written because it beat both `JSONDecoder` and `JSONSerialization` on Bayeux batches
/// (see `JSONValueTests`), and because it keeps integers exact and Booleans distinct from
/// numbers on every platform.
///
/// Besides whole documents it reads a document piece by piece (``peek()``, ``consume(_:)``,
/// ``parseValue()``, ``parseString(reusing:)``), so a reader of a known shape, such as a Bayeux
/// reply, can build its own types without an intermediate ``JSONValue`` for the outer levels.
package struct JSONParser: ~Copyable {
    let bytes: UnsafeRawBufferPointer
    var position = 0
    var depth = 0
    static let maximumDepth = 512

    package init(bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    /// Parses one complete document (surrounding whitespace allowed).
    mutating func parseDocument() throws(JSONParseError) -> JSONValue {
        skipWhitespace()
        let value = try parseValue()
        try expectEnd()
        return value
    }

    /// The offset of the next byte to read.
    package var offset: Int { position }

    /// Throws unless only whitespace is left.
    package mutating func expectEnd() throws(JSONParseError) {
        skipWhitespace()
        if position != bytes.count { throw fail("unexpected data after the top-level value") }
    }

    /// The next byte that is not whitespace (not consumed), or nil at the end.
    @inline(__always)
    package mutating func peek() -> UInt8? {
        skipWhitespace()
        return position < bytes.count ? bytes[position] : nil
    }

    /// Consumes `byte` after any whitespace; throws if something else comes.
    @inline(__always)
    package mutating func consume(_ byte: UInt8) throws(JSONParseError) {
        guard peek() == byte else { throw fail("expected '\(Character(Unicode.Scalar(byte)))'") }
        position += 1
    }

    /// An error at the current position.
    package func fail(_ reason: String) -> JSONParseError {
        JSONParseError(reason: reason, offset: position)
    }

    @inline(__always)
    mutating func skipWhitespace() {
        position = ByteView(bytes).skipWhitespace(from: position)
    }

    /// Parses the value that starts at the current position (after any whitespace).
    package mutating func parseValue() throws(JSONParseError) -> JSONValue {
        skipWhitespace()
        guard position < bytes.count else { throw fail("unexpected end of data") }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw fail("unexpected character")
        }
    }

    mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
        position = try Self.skipLiteral(literal, in: ByteView(bytes), from: position)
    }

    mutating func enter() throws(JSONParseError) {
        depth += 1
        if depth > Self.maximumDepth { throw fail("nesting too deep") }
    }

    private mutating func parseObject() throws(JSONParseError) -> JSONValue {
        try enter()
        defer { depth -= 1 }
        let view = ByteView(bytes)
        position = view.skipWhitespace(from: position &+ 1)  // after the {
        if position < view.count, view[position] == UInt8(ascii: "}") {
            position &+= 1
            return .object(JSONObject())
        }
        // Most objects of a Bayeux event have two or three members.
        var object = JSONObject(minimumCapacity: 4)
        while true {
            guard position < view.count, view[position] == UInt8(ascii: "\"") else {
                throw fail("expected a member name")
            }
            let key = try parseString()
            position = view.skipWhitespace(from: position)
            guard position < view.count, view[position] == UInt8(ascii: ":") else { throw fail("expected ':'") }
            position = view.skipWhitespace(from: position &+ 1)
            object.set(key, try parseValue())  // a repeated key: the last wins
            position = view.skipWhitespace(from: position)
            guard position < view.count else { throw fail("unexpected end of data in object") }
            switch view[position] {
            case UInt8(ascii: ","): position = view.skipWhitespace(from: position &+ 1)
            case UInt8(ascii: "}"):
                position &+= 1
                return .object(object)
            default: throw fail("expected ',' or '}'")
            }
        }
    }

    private mutating func parseArray() throws(JSONParseError) -> JSONValue {
        try enter()
        defer { depth -= 1 }
        position += 1  // [
        var elements: [JSONValue] = []
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
            position += 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try parseValue())
            skipWhitespace()
            guard position < bytes.count else { throw fail("unexpected end of data in array") }
            switch bytes[position] {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "]"): position += 1; return .array(elements)
            default: throw fail("expected ',' or ']'")
            }
        }
    }

    /// Parses a string at the current position (after any whitespace). When its text equals
    /// `candidate` (say, the channel of the previous message), `candidate` itself is returned, so
    /// a repeated value does not allocate again.
    package mutating func parseString(reusing candidate: String?) throws(JSONParseError) -> String {
        guard peek() == UInt8(ascii: "\"") else { throw fail("expected a string") }
        return try parseQuotedString(reusing: candidate)
    }

    private mutating func parseString() throws(JSONParseError) -> String {
        try parseQuotedString(reusing: nil)
    }

    /// Parses the string whose opening quote is at the current position.
    private mutating func parseQuotedString(reusing candidate: String?) throws(JSONParseError) -> String {
        // Fast path: no escapes.
        let view = ByteView(bytes)
        let start = position &+ 1  // after the opening quote
        position = view.plainRunEnd(from: start)
        guard position < view.count else { throw fail("unterminated string") }
        if view[position] == UInt8(ascii: "\"") {
            let text = UnsafeRawBufferPointer(start: view.base + start, count: position &- start)
            position &+= 1
            if let candidate, candidate.utf8Equals(text) { return candidate }
            return WellKnownStrings.string(for: text) ?? String(decoding: text, as: UTF8.self)
        }
        if bytes[position] < 0x20 { throw fail("control character in string") }
        var buffer = [UInt8](UnsafeRawBufferPointer(rebasing: bytes[start..<position]))
        while position < bytes.count {
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                return String(decoding: buffer, as: UTF8.self)
            case UInt8(ascii: "\\"):
                position += 1
                guard position < bytes.count else { throw fail("unterminated escape") }
                let escaped = bytes[position]
                position += 1
                switch escaped {
                case UInt8(ascii: "\""): buffer.append(0x22)
                case UInt8(ascii: "\\"): buffer.append(0x5C)
                case UInt8(ascii: "/"): buffer.append(0x2F)
                case UInt8(ascii: "b"): buffer.append(0x08)
                case UInt8(ascii: "f"): buffer.append(0x0C)
                case UInt8(ascii: "n"): buffer.append(0x0A)
                case UInt8(ascii: "r"): buffer.append(0x0D)
                case UInt8(ascii: "t"): buffer.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = UInt32(try parseHex4())
                    if (0xD800...0xDBFF).contains(scalar),
                       position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"),
                       bytes[position + 1] == UInt8(ascii: "u")
                    {
                        position += 2
                        let low = UInt32(try parseHex4())
                        if (0xDC00...0xDFFF).contains(low) {
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        } else {
                            Self.appendUTF8(0xFFFD, to: &buffer)
                            scalar = low
                        }
                    }
                    Self.appendUTF8(Unicode.Scalar(scalar).map { $0.value } ?? 0xFFFD, to: &buffer)
                default:
                    throw fail("invalid escape")
                }
            default:
                if byte < 0x20 { throw fail("control character in string") }
                buffer.append(byte)
                position += 1
            }
        }
        throw fail("unterminated string")
    }

    mutating func parseHex4() throws(JSONParseError) -> UInt16 {
        guard position + 4 <= bytes.count else { throw fail("truncated \\u escape") }
        var value: UInt16 = 0
        for _ in 0..<4 {
            let c = bytes[position]
            let digit: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = c - UInt8(ascii: "A") + 10
            default: throw fail("invalid \\u escape")
            }
            value = value << 4 | UInt16(digit)
            position += 1
        }
        return value
    }

    private static func appendUTF8(_ scalar: UInt32, to buffer: inout [UInt8]) {
        switch scalar {
        case 0..<0x80:
            buffer.append(UInt8(scalar))
        case 0x80..<0x800:
            buffer.append(UInt8(0xC0 | (scalar >> 6)))
            buffer.append(UInt8(0x80 | (scalar & 0x3F)))
        case 0x800..<0x10000:
            buffer.append(UInt8(0xE0 | (scalar >> 12)))
            buffer.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            buffer.append(UInt8(0x80 | (scalar & 0x3F)))
        default:
            buffer.append(UInt8(0xF0 | (scalar >> 18)))
            buffer.append(UInt8(0x80 | ((scalar >> 12) & 0x3F)))
            buffer.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            buffer.append(UInt8(0x80 | (scalar & 0x3F)))
        }
    }

    /// The integer of at most 18 digits at `start` and where it ends (most numbers of an event:
    /// replay IDs, counts), or nil for any other number or an invalid one, which
    /// ``parseNumber()`` reads in full. 18 digits cannot overflow.
    @inline(__always)
    static func shortInteger(in view: ByteView, from start: Int) -> (end: Int, value: Int64)? {
        var index = start
        let negative = view[index] == UInt8(ascii: "-")
        if negative { index &+= 1 }
        let digitsStart = index
        var value: Int64 = 0
        while index < view.count {
            let digit = view[index] &- UInt8(ascii: "0")
            guard digit < 10 else { break }
            value = value &* 10 &+ Int64(digit)
            index &+= 1
        }
        let digits = index &- digitsStart
        guard digits > 0, digits <= 18, digits == 1 || view[digitsStart] != UInt8(ascii: "0") else { return nil }
        if index < view.count {
            switch view[index] {
            case UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"): return nil
            default: break
            }
        }
        return (index, negative ? -value : value)
    }

    mutating func parseNumber() throws(JSONParseError) -> JSONValue {
        if let integer = Self.shortInteger(in: ByteView(bytes), from: position) {
            position = integer.end
            return .int(integer.value)
        }
        let start = position
        var negative = false
        if bytes[position] == UInt8(ascii: "-") {
            negative = true
            position += 1
        }
        let integerStart = position
        while position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) {
            position += 1
        }
        let integerDigits = position - integerStart
        guard integerDigits > 0 else { throw fail("invalid number") }
        if integerDigits > 1, bytes[integerStart] == UInt8(ascii: "0") { throw fail("leading zero in number") }
        var isInteger = true
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            isInteger = false
            position += 1
            let fractionStart = position
            while position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) {
                position += 1
            }
            guard position > fractionStart else { throw fail("invalid number fraction") }
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
            isInteger = false
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
                position += 1
            }
            let exponentStart = position
            while position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) {
                position += 1
            }
            guard position > exponentStart else { throw fail("invalid number exponent") }
        }
        if isInteger, integerDigits <= 19 {
            // Accumulate negatively so Int64.min fits.
            var value: Int64 = 0
            var overflow = false
            for i in integerStart..<position {
                let digit = Int64(bytes[i] - UInt8(ascii: "0"))
                let (m, o1) = value.multipliedReportingOverflow(by: 10)
                let (s, o2) = m.subtractingReportingOverflow(digit)
                if o1 || o2 { overflow = true; break }
                value = s
            }
            if !overflow {
                if negative { return .int(value) }
                if value != Int64.min { return .int(-value) }
            }
        }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
        guard let d = Double(text) else { throw fail("invalid number") }
        return .double(d)
    }
}
