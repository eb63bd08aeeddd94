/// Safe building blocks for SOQL: never put caller-provided text into a query any other way.
public enum SOQL {
    /// A SOQL string literal, quotes included: `O'Brien` → `'O\'Brien'`.
    ///
    /// Escapes what Salesforce's SOQL escape rules define: `\` `'` `"` and newline, carriage
    /// return, tab, backspace, form feed. The value cannot end the literal early.
    public static func quote(_ string: String) -> String {
        "'" + escape(string, wildcards: false) + "'"
    }

    /// A SOQL string literal for `LIKE` that matches `string` literally: also escapes the
    /// wildcards `%` and `_`. Add your own unescaped `%` around it when needed, e.g.
    /// `"Name LIKE '" + SOQL.likeEscaped(prefix) + "%'"`.
    public static func quoteLike(_ string: String) -> String {
        "'" + likeEscaped(string) + "'"
    }

    /// The body of a `LIKE` literal (no quotes) matching `string` literally.
    public static func likeEscaped(_ string: String) -> String {
        escape(string, wildcards: true)
    }

    /// Validates an sObject or field API name (`Account`, `Invoice_Statement__c`,
    /// `ns__Thing__c`, `Low_Ink__e`) and returns it unchanged.
    /// - Throws: ``SOQLError/invalidIdentifier(_:)`` unless it matches `^[A-Za-z][A-Za-z0-9_]*$`
    ///   (at most 255 characters).
    @discardableResult
    public static func identifier(_ name: String) throws(SOQLError) -> String {
        guard let first = name.utf8.first, isLetter(first), name.utf8.count <= 255,
              name.utf8.allSatisfy({ isLetter($0) || isDigit($0) || $0 == UInt8(ascii: "_") })
        else { throw .invalidIdentifier(name) }
        return name
    }

    /// Validates a record ID (15 or 18 letters and digits) and returns it unchanged.
    @discardableResult
    public static func recordID(_ id: String) throws(SOQLError) -> String {
        guard id.utf8.count == 15 || id.utf8.count == 18,
              id.utf8.allSatisfy({ isLetter($0) || isDigit($0) }) else { throw .invalidRecordID(id) }
        return id
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    private static func escape(_ string: String, wildcards: Bool) -> String {
        var out = ""
        out.reserveCapacity(string.utf8.count + 8)
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "'": out += "\\'"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "%" where wildcards: out += "\\%"
            case "_" where wildcards: out += "\\_"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
