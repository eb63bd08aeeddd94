import Foundation
import Testing
@testable import Salesforce

@Suite("XMLReader")
struct XMLReaderTests {
    /// Every event of `xml`, or the error that stopped the reader.
    private func events(_ xml: String) -> Result<[XMLReader.Event], XMLReader.Error> {
        events(Array(xml.utf8))
    }

    private func events(_ bytes: [UInt8]) -> Result<[XMLReader.Event], XMLReader.Error> {
        var reader = XMLReader(bytes)
        var out: [XMLReader.Event] = []
        do {
            while let event = try reader.next() { out.append(event) }
            return .success(out)
        } catch {
            return .failure(error)
        }
    }

    /// The concatenated text of the document (its character data and CDATA sections).
    private func text(_ xml: String) throws -> String {
        try events(xml).get().reduce(into: "") { text, event in
            if case .text(let chunk) = event { text += chunk }
        }
    }

    private func name(_ local: String, _ prefix: String? = nil) -> XMLReader.Name {
        XMLReader.Name(prefix: prefix, localName: local)
    }

    @Test("reports start, text and end events; an empty-element tag is a start and an end")
    func basicEvents() throws {
        let result = try events("<a><b>hi</b><c/></a>").get()
        #expect(result == [
            .start(name("a"), attributes: []),
            .start(name("b"), attributes: []), .text("hi"), .end(name("b")),
            .start(name("c"), attributes: []), .end(name("c")),
            .end(name("a")),
        ])
    }

    @Test("splits namespace prefixes from local names, in elements and attributes")
    func prefixes() throws {
        let result = try events(#"<soapenv:Envelope xmlns:soapenv="urn:e" xsi:nil = 'true'><Body/></soapenv:Envelope>"#).get()
        #expect(result.first == .start(name("Envelope", "soapenv"), attributes: [
            XMLReader.Attribute(name: name("soapenv", "xmlns"), value: "urn:e"),
            XMLReader.Attribute(name: name("nil", "xsi"), value: "true"),
        ]))
        #expect(result.last == .end(name("Envelope", "soapenv")))
        #expect(result.count == 4)
    }

    @Test("resolves the five predefined entities and decimal and hex character references")
    func entities() throws {
        #expect(try text("<a>&lt;&gt;&amp;&quot;&apos;</a>") == "<>&\"'")
        #expect(try text("<a>&#65;&#x42;&#x1F600;&#233;</a>") == "AB😀é")
        #expect(try text("<a>&amp;lt;</a>") == "&lt;")
        let attributes = try events(#"<a v="&lt;x&gt; &amp; &#34;q&#34; &apos;"/>"#).get()
        #expect(attributes.first == .start(name("a"), attributes: [
            XMLReader.Attribute(name: name("v"), value: #"<x> & "q" '"#),
        ]))
    }

    @Test("CDATA is text, unescaped; comments, processing instructions and the declaration are skipped")
    func cdataCommentsInstructions() throws {
        let xml = """
            \u{FEFF}<?xml version="1.0" encoding="UTF-8"?>
            <!-- before -->
            <a>x<!-- <b>not an element</b> --><![CDATA[<b>&amp;</b>]]><?app data?>y</a>
            <!-- after -->
            """
        let result = try events(xml).get()
        #expect(result == [
            .start(name("a"), attributes: []), .text("x"), .text("<b>&amp;</b>"), .text("y"), .end(name("a")),
        ])
    }

    @Test("line breaks become \\n in text and spaces in attribute values; non-ASCII text survives")
    func normalization() throws {
        #expect(try text("<a>1\r\n2\r3\n4</a>") == "1\n2\n3\n4")
        let result = try events("<a v=\"x\r\ny\tz\">ü€</a>").get()
        #expect(result == [
            .start(name("a"), attributes: [XMLReader.Attribute(name: name("v"), value: "x y z")]),
            .text("ü€"), .end(name("a")),
        ])
    }

    @Test("malformed documents throw with a reason, never trap", arguments: [
        ("", "no root element"),
        ("   ", "no root element"),
        ("<a>", "not closed"),
        ("<a></b>", "does not match"),
        ("<a><b></a></b>", "does not match"),
        ("</a>", "without a start tag"),
        ("<a/><b/>", "second root element"),
        ("<a/>text", "text after the root element"),
        ("text<a/>", "text before the root element"),
        ("<a>&nbsp;</a>", "undefined entity"),
        ("<a>&amp</a>", "unterminated entity reference"),
        ("<a>&#0;</a>", "invalid character reference"),
        ("<a>&#xD800;</a>", "invalid character reference"),
        ("<a>&#x110000;</a>", "invalid character reference"),
        ("<a>&#-5;</a>", "invalid character reference"),
        ("<a>&#+65;</a>", "invalid character reference"),
        ("<a>&#X41;</a>", "invalid character reference"),
        ("<a>&#;</a>", "invalid character reference"),
        ("<a>]]></a>", "']]>' in text"),
        ("<a>\u{1}</a>", "control character"),
        ("<a b=\"1\" b=\"2\"/>", "duplicate attribute"),
        ("<a b=\"<\"/>", "'<' in an attribute value"),
        ("<a b=1/>", "quoted attribute value"),
        ("<a b/>", "expected '='"),
        ("<a b=\"1\"c=\"2\"/>", "white space before an attribute"),
        ("<a b=\"1", "unterminated attribute value"),
        ("<a", "unterminated start tag"),
        ("<a></a", "unterminated end tag"),
        ("<>", "expected a name"),
        ("<1a/>", "cannot start with"),
        ("<:a/>", "malformed qualified name"),
        ("<a:/>", "malformed qualified name"),
        ("<a:b:c/>", "malformed qualified name"),
        ("<a><!-- open</a>", "unterminated comment"),
        ("<a><![CDATA[open</a>", "unterminated CDATA section"),
        ("<a><?pi open</a>", "unterminated processing instruction"),
        ("<![CDATA[x]]><a/>", "CDATA section outside the root element"),
        ("<!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>", "document type declarations are not supported"),
        ("<a><!ELEMENT a ANY></a>", "unexpected markup declaration"),
        ("<a/><?xml version=\"1.0\"?>", "XML declaration is allowed only at the start"),
    ])
    func malformed(xml: String, reason: String) {
        let result = events(xml)
        guard case .failure(let error) = result else {
            Issue.record("accepted \(xml.debugDescription): \(result)")
            return
        }
        #expect(error.reason.contains(reason), "\(xml.debugDescription): \(error)")
    }

    @Test("invalid UTF-8 in text, names or attribute values is an error")
    func invalidUTF8() {
        let open = Array("<a>".utf8), close = Array("</a>".utf8)
        for bad: [UInt8] in [[0xFF], [0xC3], [0xED, 0xA0, 0x80]] {
            #expect(throws: XMLReader.Error.self) { try events(open + bad + close).get() }
            #expect(throws: XMLReader.Error.self) { try events([0x3C] + bad + [0x2F, 0x3E]).get() }
            #expect(throws: XMLReader.Error.self) { try events(Array("<a v=\"".utf8) + bad + Array("\"/>".utf8)).get() }
        }
    }

    @Test("nesting deeper than maxDepth is rejected; maxDepth itself is fine")
    func depth() throws {
        let depth = XMLReader.maxDepth
        let fine = String(repeating: "<a>", count: depth) + String(repeating: "</a>", count: depth)
        #expect(try events(fine).get().count == 2 * depth)
        let tooDeep = String(repeating: "<a>", count: depth + 1) + String(repeating: "</a>", count: depth + 1)
        #expect(throws: XMLReader.Error.self) { try events(tooDeep).get() }
    }

    @Test("every truncation of a SOAP reply is an error, and no byte mutation traps")
    func truncationsAndMutations() {
        let reply = Array(Fixtures.soapLoginSuccess.utf8)
        #expect((try? events(reply).get()) != nil)
        for length in 0..<reply.count where !reply[length...].allSatisfy({ $0 == 0x20 || $0 == 0x0A }) {
            #expect(throws: XMLReader.Error.self, "truncated to \(length) bytes") {
                try events(Array(reply[..<length])).get()
            }
        }
        // Deterministic mutations: replace one byte with each markup-significant byte.
        let specials = Array("<>&;/\"'=![]?-#x\r".utf8) + [0x00, 0xFF]
        for position in stride(from: 0, to: reply.count, by: 7) {
            for byte in specials {
                var mutated = reply
                mutated[position] = byte
                _ = events(mutated)  // must return, whatever the verdict
            }
        }
    }

    @Test("the SOAP fixtures read back as the values SOAPEnvelope expects")
    func soapFixtures() throws {
        let values = try #require(SOAPEnvelope.leafTexts(of: Data(Fixtures.soapLoginSuccess.utf8)))
        #expect(values["Envelope/Body/loginResponse/result/sessionId"] == "00D5g000004ABCD!AQ0AQSecretSessionToken")
        let fault = try #require(SOAPEnvelope.leafTexts(of: Data(Fixtures.soapFault("INVALID_LOGIN", "a &amp; b").utf8)))
        #expect(fault["Envelope/Body/Fault/faultstring"] == "INVALID_LOGIN: a & b")
    }

    @Test("leaf texts are trimmed of Unicode white space, CDATA joins surrounding text")
    func leafTextTrimming() throws {
        let xml = "<r><a>\u{00A0}\n\t x \u{2003}</a><b> <![CDATA[ <y> ]]> z </b></r>"
        let values = try #require(SOAPEnvelope.leafTexts(of: Data(xml.utf8)))
        #expect(values["r/a"] == "x")
        #expect(values["r/b"] == "<y>  z")
        #expect(SOAPEnvelope.leafTexts(of: Data("<r><a></r>".utf8)) == nil)
    }
}
