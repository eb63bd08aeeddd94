#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading past a value without building it, and finding one member of a valid document.
///
/// This runs over every byte of every reply (each event's `data` is checked before it is
/// routed), so the scanning is written as static functions of the bytes and an offset, which the
/// compiler keeps in registers: a container's loop reads its members with the scalar cases
/// inlined and calls out only for nested containers.
extension JSONParser {
    /// Checks the value at the current position (after any whitespace) and moves past it,
    /// without making any ``JSONValue``: accepts exactly what ``parseValue()`` accepts.
    package mutating func skipValue() throws(JSONParseError) {
        position = try Self.skipValue(in: ByteView(bytes), from: position, depth: depth)
    }

    /// The value at `path` (object member names) inside the value at the current position, which
    /// is read past. A repeated member counts once, the last time, as in a parsed object; nil when
    /// a member is missing or a value on the way is not an object.
    package mutating func member(at path: ArraySlice<String>) throws(JSONParseError) -> JSONValue? {
        var offsets = MemberOffsets()
        return try member(at: path, offsets: &offsets)
    }

    /// The same, noting in `offsets` where the members of the value at the current position are
    /// (offsets into this parser's bytes), so that another member can be read later without
    /// scanning (`offsets` is left incomplete when there is no index to keep).
    package mutating func member(at path: ArraySlice<String>, offsets: inout MemberOffsets) throws(JSONParseError) -> JSONValue? {
        guard let name = path.first else {
            offsets.markIncomplete()
            return try parseValue()
        }
        let view = ByteView(bytes)
        var index = view.skipWhitespace(from: position)
        guard index < view.count, view[index] == UInt8(ascii: "{") else {
            position = try Self.skipValue(in: view, from: index, depth: depth)
            return nil
        }
        position = index
        try enter()
        defer { depth -= 1 }
        index = view.skipWhitespace(from: index &+ 1)
        if index < view.count, view[index] == UInt8(ascii: "}") {
            position = index &+ 1
            return nil
        }
        var found: JSONValue?
        while true {
            guard index < view.count, view[index] == UInt8(ascii: "\"") else {
                throw JSONParseError(reason: "expected a member name", offset: index)
            }
            let nameStart = index &+ 1
            let (nameEnd, plainName) = try Self.skipString(in: view, from: index)
            let matches: Bool
            if plainName {
                matches = name.utf8Equals(UnsafeRawBufferPointer(start: view.base + nameStart, count: nameEnd &- 1 &- nameStart))
            } else {
                position = index
                matches = try parseString(reusing: nil) == name
            }
            index = view.skipWhitespace(from: nameEnd)
            guard index < view.count, view[index] == UInt8(ascii: ":") else {
                throw JSONParseError(reason: "expected ':'", offset: index)
            }
            index = view.skipWhitespace(from: index &+ 1)
            let valueStart = index
            if matches {
                position = index
                // The last name of the path (an event's `replayId`): its value, parsed here.
                found = path.count == 1 ? try parseValue() : try member(at: path.dropFirst())
                index = position
            } else {
                index = try Self.skipValue(in: view, from: index, depth: depth)
            }
            offsets.append(name: nameStart..<(nameEnd - 1), value: valueStart..<index, plainName: plainName)
            index = view.skipWhitespace(from: index)
            guard index < view.count else { throw JSONParseError(reason: "expected ',' or '}'", offset: index) }
            switch view[index] {
            case UInt8(ascii: ","): index = view.skipWhitespace(from: index &+ 1)
            case UInt8(ascii: "}"):
                position = index &+ 1
                return found
            default: throw JSONParseError(reason: "expected ',' or '}'", offset: index)
            }
        }
    }

    /// Consumes the string at the current position (after any whitespace) if its text is exactly
    /// `name`'s bytes, without making a string; false, with nothing consumed, otherwise. A name
    /// written with escapes is not matched here: the caller reads it with
    /// ``parseString(reusing:)`` and compares the result.
    package mutating func consumePlainString(_ name: StaticString) -> Bool {
        guard peek() == UInt8(ascii: "\"") else { return false }
        let start = position + 1
        let length = name.utf8CodeUnitCount
        // The first byte and the closing quote are compared before the call to `memcmp`.
        guard start + length < bytes.count, bytes[start + length] == UInt8(ascii: "\""),
              length == 0 || bytes[start] == name.utf8Start[0],
              memcmp(bytes.baseAddress! + start, name.utf8Start, length) == 0 else { return false }
        position = start + length + 1
        return true
    }

    // MARK: Scanning (offsets in, offsets out)

    /// Where the value at or after `start` (after whitespace) ends, checked as ``parseValue()``
    /// checks it; `depth`: the containers already entered.
    @inline(__always)
    private static func skipValue(in bytes: ByteView, from start: Int, depth: Int) throws(JSONParseError) -> Int {
        let index = bytes.skipWhitespace(from: start)
        guard index < bytes.count else { throw JSONParseError(reason: "unexpected end of data", offset: index) }
        switch bytes[index] {
        case UInt8(ascii: "\""): return try skipString(in: bytes, from: index).end
        case UInt8(ascii: "{"): return try skipObject(in: bytes, from: index, depth: depth &+ 1)
        case UInt8(ascii: "["): return try skipArray(in: bytes, from: index, depth: depth &+ 1)
        case UInt8(ascii: "t"): return try skipLiteral("true", in: bytes, from: index)
        case UInt8(ascii: "f"): return try skipLiteral("false", in: bytes, from: index)
        case UInt8(ascii: "n"): return try skipLiteral("null", in: bytes, from: index)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try skipNumber(in: bytes, from: index)
        default: throw JSONParseError(reason: "unexpected character", offset: index)
        }
    }

    /// Where the object whose `{` is at `start` ends; `depth` counts it.
    @inline(never)
    private static func skipObject(in bytes: ByteView, from start: Int, depth: Int) throws(JSONParseError) -> Int {
        guard depth <= maximumDepth else { throw JSONParseError(reason: "nesting too deep", offset: start) }
        var index = bytes.skipWhitespace(from: start &+ 1)
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") { return index &+ 1 }
        while true {
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                throw JSONParseError(reason: "expected a member name", offset: index)
            }
            index = bytes.skipWhitespace(from: try skipString(in: bytes, from: index).end)
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
                throw JSONParseError(reason: "expected ':'", offset: index)
            }
            index = bytes.skipWhitespace(from: try skipValue(in: bytes, from: index &+ 1, depth: depth))
            guard index < bytes.count else { throw JSONParseError(reason: "unexpected end of data in object", offset: index) }
            switch bytes[index] {
            case UInt8(ascii: ","): index = bytes.skipWhitespace(from: index &+ 1)
            case UInt8(ascii: "}"): return index &+ 1
            default: throw JSONParseError(reason: "expected ',' or '}'", offset: index)
            }
        }
    }

    /// Where the array whose `[` is at `start` ends; `depth` counts it.
    @inline(never)
    private static func skipArray(in bytes: ByteView, from start: Int, depth: Int) throws(JSONParseError) -> Int {
        guard depth <= maximumDepth else { throw JSONParseError(reason: "nesting too deep", offset: start) }
        var index = bytes.skipWhitespace(from: start &+ 1)
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") { return index &+ 1 }
        while true {
            index = bytes.skipWhitespace(from: try skipValue(in: bytes, from: index, depth: depth))
            guard index < bytes.count else { throw JSONParseError(reason: "unexpected end of data in array", offset: index) }
            switch bytes[index] {
            case UInt8(ascii: ","): index &+= 1
            case UInt8(ascii: "]"): return index &+ 1
            default: throw JSONParseError(reason: "expected ',' or ']'", offset: index)
            }
        }
    }

    /// Where the string whose opening quote is at `start` ends (after its closing quote), its
    /// escapes and control characters checked as ``parseValue()`` checks them, and whether it
    /// has no escapes (its bytes are its text).
    @inline(__always)
    private static func skipString(in bytes: ByteView, from start: Int) throws(JSONParseError) -> (end: Int, plain: Bool) {
        var index = start &+ 1
        var plain = true
        while true {
            index = bytes.plainRunEnd(from: index)
            guard index < bytes.count else { throw JSONParseError(reason: "unterminated string", offset: index) }
            switch bytes[index] {
            case UInt8(ascii: "\""):
                return (index &+ 1, plain)
            case UInt8(ascii: "\\"):
                plain = false
                index = try skipEscape(in: bytes, from: index &+ 1)
            default:
                throw JSONParseError(reason: "control character in string", offset: index)
            }
        }
    }

    /// Where the escape whose letter is at `start` (after the backslash) ends.
    @inline(never)
    private static func skipEscape(in bytes: ByteView, from start: Int) throws(JSONParseError) -> Int {
        guard start < bytes.count else { throw JSONParseError(reason: "unterminated escape", offset: start) }
        switch bytes[start] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
             UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            return start &+ 1
        case UInt8(ascii: "u"):
            var parser = JSONParser(bytes: bytes.raw)
            parser.position = start &+ 1
            _ = try parser.parseHex4()
            return parser.position
        default:
            throw JSONParseError(reason: "invalid escape", offset: start)
        }
    }

    /// Where the literal `literal` at `start` ends.
    @inline(__always)
    static func skipLiteral(_ literal: StaticString, in bytes: ByteView, from start: Int) throws(JSONParseError) -> Int {
        let count = literal.utf8CodeUnitCount
        guard start &+ count <= bytes.count else { throw JSONParseError(reason: "unexpected end of data", offset: start) }
        guard memcmp(bytes.base + start, literal.utf8Start, count) == 0 else {
            throw JSONParseError(reason: "invalid literal", offset: start)
        }
        return start &+ count
    }

    /// Where the number at `start` ends: a short integer (the common case) read as the parser's
    /// short path reads it, any other number (or an invalid one) by the parser itself.
    @inline(__always)
    private static func skipNumber(in bytes: ByteView, from start: Int) throws(JSONParseError) -> Int {
        if let integer = shortInteger(in: bytes, from: start) { return integer.end }
        return try parseNumberEnd(in: bytes, from: start)
    }

    /// Where the number at `start` ends, as the parser reads it (so the check takes exactly the
    /// numbers the parser takes).
    @inline(never)
    private static func parseNumberEnd(in bytes: ByteView, from start: Int) throws(JSONParseError) -> Int {
        var parser = JSONParser(bytes: bytes.raw)
        parser.position = start
        _ = try parser.parseNumber()
        return parser.position
    }
}
