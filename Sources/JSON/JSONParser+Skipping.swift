#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading past a value without building it, and finding one member of a valid document.
extension JSONParser {
    /// Checks the value at the current position (after any whitespace) and moves past it,
    /// without making any ``JSONValue``: accepts exactly what ``parseValue()`` accepts.
    package mutating func skipValue() throws(JSONParseError) {
        skipWhitespace()
        guard position < bytes.count else { throw fail("unexpected end of data") }
        switch bytes[position] {
        case UInt8(ascii: "{"): try skipObject()
        case UInt8(ascii: "["): try skipArray()
        case UInt8(ascii: "\""): _ = try skipString()
        case UInt8(ascii: "t"): try expectLiteral("true")
        case UInt8(ascii: "f"): try expectLiteral("false")
        case UInt8(ascii: "n"): try expectLiteral("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): _ = try parseNumber()
        default: throw fail("unexpected character")
        }
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
        guard peek() == UInt8(ascii: "{") else {
            try skipValue()
            return nil
        }
        try enter()
        defer { depth -= 1 }
        position += 1  // {
        if peek() == UInt8(ascii: "}") {
            position += 1
            return nil
        }
        var found: JSONValue?
        while true {
            guard peek() == UInt8(ascii: "\"") else { throw fail("expected a member name") }
            let nameStart = position + 1
            let (matches, plainName) = try stringEquals(name)
            let nameEnd = position - 1
            try consume(UInt8(ascii: ":"))
            let valueStart = position
            if matches {
                found = try member(at: path.dropFirst())
            } else {
                try skipValue()
            }
            offsets.append(name: nameStart..<nameEnd, value: valueStart..<position, plainName: plainName)
            switch peek() {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "}"): position += 1; return found
            default: throw fail("expected ',' or '}'")
            }
        }
    }

    private mutating func skipObject() throws(JSONParseError) {
        try enter()
        defer { depth -= 1 }
        position += 1  // {
        if peek() == UInt8(ascii: "}") {
            position += 1
            return
        }
        while true {
            guard peek() == UInt8(ascii: "\"") else { throw fail("expected a member name") }
            _ = try skipString()
            try consume(UInt8(ascii: ":"))
            try skipValue()
            switch peek() {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "}"): position += 1; return
            case nil: throw fail("unexpected end of data in object")
            default: throw fail("expected ',' or '}'")
            }
        }
    }

    private mutating func skipArray() throws(JSONParseError) {
        try enter()
        defer { depth -= 1 }
        position += 1  // [
        if peek() == UInt8(ascii: "]") {
            position += 1
            return
        }
        while true {
            try skipValue()
            switch peek() {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "]"): position += 1; return
            case nil: throw fail("unexpected end of data in array")
            default: throw fail("expected ',' or ']'")
            }
        }
    }

    /// Moves past the string whose opening quote is at the current position, checking its
    /// escapes and control characters as ``parseValue()`` does; true if it has no escapes (its
    /// bytes are its text).
    private mutating func skipString() throws(JSONParseError) -> Bool {
        position += 1  // opening quote
        var plain = true
        while true {
            position = plainRunEnd(from: position)
            guard position < bytes.count else { throw fail("unterminated string") }
            switch bytes[position] {
            case UInt8(ascii: "\""):
                position += 1
                return plain
            case UInt8(ascii: "\\"):
                plain = false
                position += 1
                guard position < bytes.count else { throw fail("unterminated escape") }
                switch bytes[position] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                     UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    position += 1
                case UInt8(ascii: "u"):
                    position += 1
                    _ = try parseHex4()
                default:
                    throw fail("invalid escape")
                }
            default:
                throw fail("control character in string")
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
        guard start + length < bytes.count, bytes[start + length] == UInt8(ascii: "\""),
              memcmp(bytes.baseAddress! + start, name.utf8Start, length) == 0 else { return false }
        position = start + length + 1
        return true
    }

    /// Reads the string at the current position and tells whether it equals `text`, comparing
    /// bytes (no string is made unless it has escapes), and whether it has none.
    private mutating func stringEquals(_ text: String) throws(JSONParseError) -> (equals: Bool, plain: Bool) {
        let start = position + 1
        if try skipString() {
            let raw = UnsafeRawBufferPointer(rebasing: bytes[start..<(position - 1)])
            return (text.utf8Equals(raw), true)
        }
        position = start - 1
        return (try parseString(reusing: nil) == text, false)
    }
}
