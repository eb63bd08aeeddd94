/// A small, non-validating XML pull reader: enough for SOAP replies, without FoundationXML
/// (whose libxml2 and Foundation would be loaded into every service only for the login).
///
/// It reads UTF-8 documents and reports elements (names possibly namespace-prefixed, with their
/// attributes) and character data. Text and attribute values have the five predefined entities
/// and numeric character references resolved and line breaks normalized to `\n`; CDATA
/// sections are text; comments, processing instructions and the XML declaration are skipped.
///
/// Anything not well-formed throws ``XMLReader/Error`` (never traps): mismatched or unclosed
/// tags, unknown entities, characters XML forbids, invalid UTF-8, duplicate attributes, content
/// outside the root element, nesting deeper than ``maxDepth``. Document type declarations are
/// rejected too: SOAP forbids them, and refusing them rules out entity-expansion attacks.
/// Namespace prefixes are split off but not resolved to URIs.
///
/// ```swift
/// var reader = XMLReader(Array(body))
/// while let event = try reader.next() { ... }
/// ```
struct XMLReader {
    /// An element or attribute name: `env:Body` has prefix `env` and local name `Body`.
    struct Name: Equatable, CustomStringConvertible {
        let prefix: String?
        let localName: String

        var description: String { prefix.map { "\($0):\(localName)" } ?? localName }
    }

    /// One attribute of a start tag, its value with references resolved.
    struct Attribute: Equatable {
        let name: Name
        let value: String
    }

    /// What ``XMLReader/next()`` reads.
    enum Event: Equatable {
        /// A start tag (or an empty-element tag, which is followed by its ``end(_:)``).
        case start(Name, attributes: [Attribute])
        /// An end tag.
        case end(Name)
        /// A run of character data, or one CDATA section; never empty. Adjacent runs belong
        /// together (text, then a CDATA section, then text).
        case text(String)
    }

    /// Why a document is not well-formed, and the byte offset where that was found.
    struct Error: Swift.Error, Equatable, CustomStringConvertible {
        let reason: String
        let offset: Int

        var description: String { "malformed XML at byte \(offset): \(reason)" }
    }

    /// Elements nested deeper than this are rejected (libxml2's default limit).
    static let maxDepth = 256

    private let bytes: [UInt8]
    private var index = 0
    private let documentStart: Int
    private var open: [Name] = []
    /// The element of an empty-element tag whose end event is still due.
    private var pendingEnd: Name?
    private var sawRoot = false

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        // A UTF-8 byte order mark is allowed before the document.
        documentStart = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        index = documentStart
    }

    /// The next event, or `nil` once the whole (well-formed) document has been read.
    mutating func next() throws(Error) -> Event? {
        if let name = pendingEnd {
            pendingEnd = nil
            open.removeLast()
            return .end(name)
        }
        while index < bytes.count {
            guard bytes[index] == Byte.lessThan else {
                let text = try readCharacterData()
                if open.isEmpty {
                    guard text.unicodeScalars.allSatisfy({ Self.isSpace($0.value) }) else {
                        throw fail(sawRoot ? "text after the root element" : "text before the root element")
                    }
                    continue
                }
                return .text(text)
            }
            if startsWith("<?") {
                try skipProcessingInstruction()
            } else if startsWith("<!--") {
                try skip(past: "-->", what: "comment")
            } else if startsWith("<![CDATA[") {
                guard !open.isEmpty else { throw fail("CDATA section outside the root element") }
                let text = try readCDATA()
                if !text.isEmpty { return .text(text) }
            } else if startsWith("<!DOCTYPE") {
                throw fail("document type declarations are not supported")
            } else if startsWith("</") {
                return try readEndTag()
            } else if startsWith("<!") {
                throw fail("unexpected markup declaration")
            } else {
                return try readStartTag()
            }
        }
        if let unclosed = open.last { throw fail("element <\(unclosed)> is not closed") }
        guard sawRoot else { throw fail("no root element") }
        return nil
    }

    // MARK: - Markup

    private mutating func readStartTag() throws(Error) -> Event {
        if sawRoot, open.isEmpty { throw fail("a second root element") }
        index += 1  // "<"
        let name = try readName()
        var attributes: [Attribute] = []
        while true {
            let hadSpace = skipSpaces()
            guard index < bytes.count else { throw fail("unterminated start tag <\(name)>") }
            if bytes[index] == Byte.greaterThan {
                index += 1
                break
            }
            if startsWith("/>") {
                index += 2
                pendingEnd = name
                break
            }
            guard hadSpace else { throw fail("expected white space before an attribute in <\(name)>") }
            let attributeName = try readName()
            skipSpaces()
            guard index < bytes.count, bytes[index] == Byte.equals else {
                throw fail("expected '=' after attribute \(attributeName)")
            }
            index += 1
            skipSpaces()
            let value = try readAttributeValue()
            guard !attributes.contains(where: { $0.name == attributeName }) else {
                throw fail("duplicate attribute \(attributeName) in <\(name)>")
            }
            attributes.append(Attribute(name: attributeName, value: value))
        }
        guard open.count < Self.maxDepth else { throw fail("elements nested deeper than \(Self.maxDepth)") }
        open.append(name)
        sawRoot = true
        return .start(name, attributes: attributes)
    }

    private mutating func readEndTag() throws(Error) -> Event {
        index += 2  // "</"
        let name = try readName()
        skipSpaces()
        guard index < bytes.count, bytes[index] == Byte.greaterThan else {
            throw fail("unterminated end tag </\(name)>")
        }
        index += 1
        guard let expected = open.last else { throw fail("end tag </\(name)> without a start tag") }
        guard expected == name else { throw fail("end tag </\(name)> does not match <\(expected)>") }
        open.removeLast()
        return .end(name)
    }

    /// A name, split at its colon. Accepts ASCII letters, digits, `_ - . :` and any non-ASCII
    /// character, a little more than XML allows (no digit, `-` or `.` first).
    private mutating func readName() throws(Error) -> Name {
        let start = index
        while index < bytes.count, Self.isNameByte(bytes[index]) { index += 1 }
        guard index > start else { throw fail("expected a name") }
        let first = bytes[start]
        if first == Byte.minus || first == Byte.dot || (first >= Byte.zero && first <= Byte.nine) {
            throw fail("a name cannot start with '\(Unicode.Scalar(first))'")
        }
        let raw = bytes[start..<index]
        guard let colon = raw.firstIndex(of: Byte.colon) else {
            return Name(prefix: nil, localName: try decode(raw, at: start))
        }
        let prefix = raw[..<colon], local = raw[(colon + 1)...]
        guard !prefix.isEmpty, !local.isEmpty, !local.contains(Byte.colon) else {
            throw fail("malformed qualified name", at: start)
        }
        return Name(prefix: try decode(prefix, at: start), localName: try decode(local, at: colon + 1))
    }

    private mutating func readAttributeValue() throws(Error) -> String {
        guard index < bytes.count, bytes[index] == Byte.quote || bytes[index] == Byte.apostrophe else {
            throw fail("expected a quoted attribute value")
        }
        let quote = bytes[index]
        index += 1
        var value: [UInt8] = []
        while true {
            guard index < bytes.count else { throw fail("unterminated attribute value") }
            let byte = bytes[index]
            switch byte {
            case quote:
                index += 1
                return try decode(value[...], at: index)
            case Byte.lessThan:
                throw fail("'<' in an attribute value")
            case Byte.ampersand:
                try readReference(into: &value)
            case Byte.carriageReturn:
                // CR LF and a lone CR are one line break; line breaks and tabs become spaces.
                index += 1
                if index < bytes.count, bytes[index] == Byte.lineFeed { index += 1 }
                value.append(Byte.space)
            case Byte.lineFeed, Byte.tab:
                index += 1
                value.append(Byte.space)
            default:
                try checkAllowed(byte)
                value.append(byte)
                index += 1
            }
        }
    }

    // MARK: - Character data

    /// Text up to the next `<` or the end of the input.
    private mutating func readCharacterData() throws(Error) -> String {
        let start = index
        var text: [UInt8] = []
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case Byte.lessThan:
                return try decode(text[...], at: start)
            case Byte.ampersand:
                try readReference(into: &text)
            case Byte.carriageReturn:
                index += 1
                if index < bytes.count, bytes[index] == Byte.lineFeed { index += 1 }
                text.append(Byte.lineFeed)
            case Byte.greaterThan where index >= 2 && bytes[index - 1] == Byte.rightBracket
                && bytes[index - 2] == Byte.rightBracket && index - 2 >= start:
                throw fail("']]>' in text")
            default:
                try checkAllowed(byte)
                text.append(byte)
                index += 1
            }
        }
        return try decode(text[...], at: start)
    }

    private mutating func readCDATA() throws(Error) -> String {
        index += 9  // "<![CDATA["
        let start = index
        guard let end = find("]]>") else { throw fail("unterminated CDATA section") }
        var text: [UInt8] = []
        text.reserveCapacity(end - start)
        var position = start
        while position < end {
            let byte = bytes[position]
            if byte == Byte.carriageReturn {
                text.append(Byte.lineFeed)
                position += 1
                if position < end, bytes[position] == Byte.lineFeed { position += 1 }
                continue
            }
            if byte < 0x20, byte != Byte.tab, byte != Byte.lineFeed {
                throw fail("control character \(byte) in CDATA", at: position)
            }
            text.append(byte)
            position += 1
        }
        index = end + 3
        return try decode(text[...], at: start)
    }

    /// Resolves `&name;`, `&#decimal;` or `&#xhex;` at `index` and appends its UTF-8 bytes.
    private mutating func readReference(into out: inout [UInt8]) throws(Error) {
        let start = index
        index += 1  // "&"
        let nameStart = index
        while index < bytes.count, bytes[index] != Byte.semicolon, index - nameStart < 32 {
            index += 1
        }
        guard index < bytes.count, bytes[index] == Byte.semicolon else {
            throw fail("unterminated entity reference", at: start)
        }
        let name = bytes[nameStart..<index]
        index += 1  // ";"
        let scalar: Unicode.Scalar
        switch String(decoding: name, as: UTF8.self) {
        case "amp": scalar = "&"
        case "lt": scalar = "<"
        case "gt": scalar = ">"
        case "quot": scalar = "\""
        case "apos": scalar = "'"
        case let reference where reference.hasPrefix("#"):
            let digits = reference.dropFirst()
            let value = digits.hasPrefix("x") ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits, radix: 10)
            // The radix initializers accept a sign; XML does not.
            guard let value, !digits.contains("+"), !digits.contains("-"), Self.isAllowed(value),
                  let character = Unicode.Scalar(value) else {
                throw fail("invalid character reference &\(reference);", at: start)
            }
            scalar = character
        case let reference:
            throw fail("undefined entity &\(reference);", at: start)
        }
        out.append(contentsOf: UTF8.encode(scalar)!)
    }

    // MARK: - Skipping

    private mutating func skipProcessingInstruction() throws(Error) {
        let start = index
        index += 2  // "<?"
        let target = try readName()
        if target.prefix == nil, target.localName.lowercased() == "xml", start != documentStart {
            throw fail("the XML declaration is allowed only at the start", at: start)
        }
        guard let end = find("?>") else { throw fail("unterminated processing instruction", at: start) }
        index = end + 2
    }

    private mutating func skip(past terminator: String, what: String) throws(Error) {
        let start = index
        guard let end = find(terminator) else { throw fail("unterminated \(what)", at: start) }
        index = end + terminator.utf8.count
    }

    @discardableResult
    private mutating func skipSpaces() -> Bool {
        let start = index
        while index < bytes.count, Self.isSpace(UInt32(bytes[index])) { index += 1 }
        return index > start
    }

    // MARK: - Helpers

    private func startsWith(_ literal: String) -> Bool {
        bytes[index...].starts(with: literal.utf8)
    }

    /// The offset of the next occurrence of `literal` at or after `index`.
    private func find(_ literal: String) -> Int? {
        let needle = Array(literal.utf8)
        var position = index
        while position + needle.count <= bytes.count {
            if bytes[position] == needle[0], bytes[position..<(position + needle.count)].elementsEqual(needle) {
                return position
            }
            position += 1
        }
        return nil
    }

    private func decode(_ utf8: ArraySlice<UInt8>, at offset: Int) throws(Error) -> String {
        guard let text = String(validating: utf8, as: UTF8.self) else { throw fail("invalid UTF-8", at: offset) }
        return text
    }

    private func checkAllowed(_ byte: UInt8) throws(Error) {
        if byte < 0x20, byte != Byte.tab, byte != Byte.lineFeed, byte != Byte.carriageReturn {
            throw fail("control character \(byte)")
        }
    }

    private func fail(_ reason: String, at offset: Int? = nil) -> Error {
        Error(reason: reason, offset: offset ?? index)
    }

    private static func isSpace(_ value: UInt32) -> Bool {
        value == 0x20 || value == 0x09 || value == 0x0A || value == 0x0D
    }

    /// XML 1.0 `Char`: what a character reference may produce.
    private static func isAllowed(_ value: UInt32) -> Bool {
        switch value {
        case 0x09, 0x0A, 0x0D, 0x20...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: true
        default: false
        }
    }

    private static func isNameByte(_ byte: UInt8) -> Bool {
        switch byte {
        case Byte.a...Byte.z, Byte.capitalA...Byte.capitalZ, Byte.zero...Byte.nine,
             Byte.underscore, Byte.minus, Byte.dot, Byte.colon, 0x80...: true
        default: false
        }
    }

    private enum Byte {
        static let tab: UInt8 = 0x09, lineFeed: UInt8 = 0x0A, carriageReturn: UInt8 = 0x0D, space: UInt8 = 0x20
        static let quote = UInt8(ascii: "\""), apostrophe = UInt8(ascii: "'"), ampersand = UInt8(ascii: "&")
        static let lessThan = UInt8(ascii: "<"), greaterThan = UInt8(ascii: ">"), equals = UInt8(ascii: "=")
        static let semicolon = UInt8(ascii: ";"), colon = UInt8(ascii: ":"), rightBracket = UInt8(ascii: "]")
        static let minus = UInt8(ascii: "-"), dot = UInt8(ascii: "."), underscore = UInt8(ascii: "_")
        static let zero = UInt8(ascii: "0"), nine = UInt8(ascii: "9")
        static let a = UInt8(ascii: "a"), z = UInt8(ascii: "z")
        static let capitalA = UInt8(ascii: "A"), capitalZ = UInt8(ascii: "Z")
    }
}
