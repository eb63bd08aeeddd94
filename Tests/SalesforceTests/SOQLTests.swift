import Testing
@testable import Salesforce

@Suite("SOQL")
struct SOQLTests {
    /// Where a SOQL lexer would close the string literal starting at index 0 (or nil if never).
    private func literalEnd(_ quoted: String) -> Int? {
        let chars = Array(quoted)
        guard chars.first == "'" else { return nil }
        var index = 1
        while index < chars.count {
            switch chars[index] {
            case "\\": index += 2
            case "'": return index
            default: index += 1
            }
        }
        return nil
    }

    @Test("quote escapes backslash, quotes and control characters per SOQL escape rules")
    func quoteEscapes() {
        #expect(SOQL.quote("O'Brien") == #"'O\'Brien'"#)
        #expect(SOQL.quote(#"a\b"#) == #"'a\\b'"#)
        #expect(SOQL.quote(#"say "hi""#) == #"'say \"hi\"'"#)
        #expect(SOQL.quote("line1\nline2\r\tx\u{08}\u{0C}") == #"'line1\nline2\r\tx\b\f'"#)
        #expect(SOQL.quote("100% _ok") == "'100% _ok'")
        #expect(SOQL.quote("") == "''")
    }

    @Test("no input can close the literal early (injection attempts stay data)",
          arguments: ["' OR Name != '", #"\' OR Id != null OR Name = '"#, #"\"#, #"\\'"#, "'; DELETE", "x'", "'''",
                      #"abc\"#, "Zoë ' \u{0}"])
    func injection(attempt: String) {
        let quoted = SOQL.quote(attempt)
        #expect(literalEnd(quoted) == quoted.count - 1, "\(quoted)")
    }

    @Test("LIKE quoting also escapes the % and _ wildcards")
    func like() {
        #expect(SOQL.quoteLike("50%_off's") == #"'50\%\_off\'s'"#)
        #expect(SOQL.likeEscaped("a_b") == #"a\_b"#)
    }

    @Test("identifier accepts API names, including custom, namespaced and event names",
          arguments: ["Account", "Invoice_Statement__c", "ns__Thing__c", "Low_Ink__e", "AccountChangeEvent", "x1"])
    func validIdentifiers(name: String) throws {
        #expect(try SOQL.identifier(name) == name)
    }

    @Test("identifier rejects anything that could change a query or a URL path",
          arguments: ["", "1Account", "_x", "Name, Id", "Account WHERE", "a.b", "Account/../User", "Näme", "Id--", "x y",
                      "Name)", String(repeating: "a", count: 256)])
    func invalidIdentifiers(name: String) {
        #expect(throws: SOQLError.invalidIdentifier(name)) { try SOQL.identifier(name) }
    }

    @Test("record IDs are 15 or 18 letters and digits")
    func recordIDs() throws {
        #expect(try SOQL.recordID("001D000000IRFma") == "001D000000IRFma")
        #expect(try SOQL.recordID("001D000000IRFmaIAH") == "001D000000IRFmaIAH")
        for bad in ["", "001", "001D000000IRFmaIA", "001D000000IRF/..", "001D000000IRFma?x=1", "001D000000IRFmaIAH1"] {
            #expect(throws: SOQLError.invalidRecordID(bad)) { try SOQL.recordID(bad) }
        }
    }
}
