/// A recursive-descent parser for the SOQL subset ``SOQLQuery`` describes.
struct SOQLParser {
    enum Token: Hashable {
        case word(String)          // identifiers and keywords (may contain dots)
        case string(String)        // decoded string literal
        case number(Double)
        case date(String)
        case symbol(String)        // , ( ) = != <> < > <= >=
    }

    private let tokens: [Token]
    private var position = 0

    init(_ text: String) throws(SOQLSyntaxError) {
        tokens = try Self.tokenize(text)
    }

    // MARK: Lexer

    static func tokenize(_ text: String) throws(SOQLSyntaxError) -> [Token] {
        let chars = Array(text.unicodeScalars)
        var tokens: [Token] = []
        var i = 0
        func isWordStart(_ c: Unicode.Scalar) -> Bool { c.properties.isAlphabetic || c == "_" }
        func isWord(_ c: Unicode.Scalar) -> Bool { isWordStart(c) || ("0"..."9").contains(c) || c == "." }
        func isDigit(_ c: Unicode.Scalar) -> Bool { ("0"..."9").contains(c) }
        while i < chars.count {
            let c = chars[i]
            if c.properties.isWhitespace { i += 1; continue }
            if c == "'" {
                var value = String.UnicodeScalarView()
                i += 1
                var closed = false
                while i < chars.count {
                    let d = chars[i]
                    if d == "'" { closed = true; i += 1; break }
                    if d == "\\" {
                        guard i + 1 < chars.count else { break }
                        let e = chars[i + 1]
                        switch e {
                        case "'", "\"", "\\": value.append(e)
                        case "n": value.append("\n")
                        case "r": value.append("\r")
                        case "t": value.append("\t")
                        case "b": value.append("\u{08}")
                        case "f": value.append("\u{0C}")
                        case "%", "_": value.append("\\"); value.append(e) // kept escaped for LIKE
                        default:
                            throw SOQLSyntaxError(message: "Invalid string literal: illegal escape sequence \\\(e)")
                        }
                        i += 2
                        continue
                    }
                    value.append(d)
                    i += 1
                }
                guard closed else { throw SOQLSyntaxError(message: "unexpected end of query: unterminated string literal") }
                tokens.append(.string(String(value)))
                continue
            }
            if isDigit(c) || (c == "-" && i + 1 < chars.count && isDigit(chars[i + 1])) {
                var j = i + 1
                while j < chars.count && (isDigit(chars[j]) || chars[j] == ".") { j += 1 }
                // A date literal: 2024-01-31 or 2024-01-31T10:00:00Z / +01:00
                if c != "-", j < chars.count, chars[j] == "-", j - i == 4 {
                    while j < chars.count && (isDigit(chars[j]) || ":-+.TZ".unicodeScalars.contains(chars[j])) { j += 1 }
                    tokens.append(.date(String(String.UnicodeScalarView(chars[i..<j]))))
                } else {
                    let literal = String(String.UnicodeScalarView(chars[i..<j]))
                    guard let number = Double(literal) else {
                        throw SOQLSyntaxError(message: "unexpected token: '\(literal)'")
                    }
                    tokens.append(.number(number))
                }
                i = j
                continue
            }
            if isWordStart(c) {
                var j = i + 1
                while j < chars.count && isWord(chars[j]) { j += 1 }
                tokens.append(.word(String(String.UnicodeScalarView(chars[i..<j]))))
                i = j
                continue
            }
            let two = i + 1 < chars.count ? String(String.UnicodeScalarView([c, chars[i + 1]])) : ""
            if ["!=", "<>", "<=", ">="].contains(two) {
                tokens.append(.symbol(two == "<>" ? "!=" : two))
                i += 2
                continue
            }
            if ",()=<>".unicodeScalars.contains(c) {
                tokens.append(.symbol(String(c)))
                i += 1
                continue
            }
            throw SOQLSyntaxError(message: "unexpected token: '\(c)'")
        }
        return tokens
    }

    // MARK: Helpers

    private var current: Token? { position < tokens.count ? tokens[position] : nil }

    private func describe(_ token: Token?) -> String {
        switch token {
        case nil: "<EOF>"
        case .word(let w)?: w
        case .string(let s)?: "'\(s)'"
        case .number(let n)?: n.rounded() == n ? String(Int64(n)) : String(n)
        case .date(let d)?: d
        case .symbol(let s)?: s
        }
    }

    private func unexpected() -> SOQLSyntaxError {
        SOQLSyntaxError(message: current == nil ? "unexpected end of query" : "unexpected token: '\(describe(current))'")
    }

    private func isKeyword(_ keyword: String, at offset: Int = 0) -> Bool {
        guard position + offset < tokens.count, case .word(let w) = tokens[position + offset] else { return false }
        return w.uppercased() == keyword
    }

    private mutating func accept(_ keyword: String) -> Bool {
        if isKeyword(keyword) { position += 1; return true }
        return false
    }

    private mutating func expect(_ keyword: String) throws(SOQLSyntaxError) {
        guard accept(keyword) else { throw unexpected() }
    }

    private mutating func acceptSymbol(_ symbol: String) -> Bool {
        if current == .symbol(symbol) { position += 1; return true }
        return false
    }

    private mutating func expectSymbol(_ symbol: String) throws(SOQLSyntaxError) {
        guard acceptSymbol(symbol) else { throw unexpected() }
    }

    static let reserved: Set<String> = ["SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "IN", "LIKE", "LIMIT", "ORDER",
                                        "BY", "GROUP", "OFFSET", "NULL", "TRUE", "FALSE", "HAVING", "TYPEOF",
                                        "INCLUDES", "EXCLUDES", "WITH", "FOR", "ASC", "DESC", "NULLS", "USING"]

    private mutating func identifier() throws(SOQLSyntaxError) -> String {
        guard case .word(let w)? = current, !Self.reserved.contains(w.uppercased()) else { throw unexpected() }
        position += 1
        return w
    }

    // MARK: Grammar

    mutating func parseQuery() throws(SOQLSyntaxError) -> SOQLQuery {
        let query = try parseSelect()
        guard current == nil else { throw unexpected() }
        return query
    }

    private mutating func parseSelect() throws(SOQLSyntaxError) -> SOQLQuery {
        try expect("SELECT")
        var fields: [String] = []
        var unsupported: [String] = []
        func note(_ what: String) { if !unsupported.contains(what) { unsupported.append(what) } }
        repeat {
            if isKeyword("TYPEOF") {
                note("TYPEOF")
                while current != nil && !isKeyword("END") { position += 1 }
                try expect("END")
                continue
            }
            if acceptSymbol("(") {
                note("relationship")
                _ = try parseSelect()
                try expectSymbol(")")
                continue
            }
            let name = try identifier()
            if acceptSymbol("(") {
                note("aggregate")
                var depth = 1
                while depth > 0 {
                    guard let t = current else { throw unexpected() }
                    if t == .symbol("(") { depth += 1 } else if t == .symbol(")") { depth -= 1 }
                    position += 1
                }
                if case .word(let alias)? = current, !Self.reserved.contains(alias.uppercased()) { position += 1 }
                fields.append(name + "()")
                continue
            }
            if name.contains(".") { note("relationship") }
            fields.append(name)
        } while acceptSymbol(",")
        try expect("FROM")
        let object = try identifier()
        if object.contains(".") { note("relationship") }
        var query = SOQLQuery(fields: fields, object: object)
        if accept("USING") { try expect("SCOPE"); _ = try identifier() }
        if accept("WHERE") {
            var notes: [String] = []
            query.condition = try parseOr(&notes)
            for n in notes { note(n) }
        }
        if accept("WITH") { note("WITH"); _ = try identifier() }
        if accept("GROUP") {
            try expect("BY")
            note("GROUP BY")
            repeat { _ = try identifier() } while acceptSymbol(",")
            if accept("HAVING") { var ignored: [String] = []; _ = try parseOr(&ignored) }
        }
        if accept("ORDER") {
            try expect("BY")
            note("ORDER BY")
            repeat {
                let field = try identifier()
                var ascending = true
                if accept("DESC") { ascending = false } else { _ = accept("ASC") }
                if accept("NULLS") { if !accept("FIRST") { try expect("LAST") } }
                query.orderBy.append(SOQLOrder(field: field, ascending: ascending))
            } while acceptSymbol(",")
        }
        if accept("LIMIT") {
            note("LIMIT")
            guard case .number(let n)? = current, n >= 0, n.rounded() == n else { throw unexpected() }
            position += 1
            query.limit = Int(n)
        }
        if accept("OFFSET") {
            note("OFFSET")
            guard case .number? = current else { throw unexpected() }
            position += 1
        }
        if accept("FOR") { _ = try identifier() }
        query.unsupported = unsupported
        return query
    }

    private mutating func parseOr(_ notes: inout [String]) throws(SOQLSyntaxError) -> SOQLExpression {
        var terms = [try parseAnd(&notes)]
        while accept("OR") { terms.append(try parseAnd(&notes)) }
        return terms.count == 1 ? terms[0] : .or(terms)
    }

    private mutating func parseAnd(_ notes: inout [String]) throws(SOQLSyntaxError) -> SOQLExpression {
        var terms = [try parseNot(&notes)]
        while accept("AND") { terms.append(try parseNot(&notes)) }
        return terms.count == 1 ? terms[0] : .and(terms)
    }

    private mutating func parseNot(_ notes: inout [String]) throws(SOQLSyntaxError) -> SOQLExpression {
        if accept("NOT") {
            if !notes.contains("NOT") { notes.append("NOT") }
            return .not(try parseNot(&notes))
        }
        if acceptSymbol("(") {
            let inner = try parseOr(&notes)
            try expectSymbol(")")
            return inner
        }
        return try parseCondition(&notes)
    }

    private mutating func parseCondition(_ notes: inout [String]) throws(SOQLSyntaxError) -> SOQLExpression {
        let field = try identifier()
        if field.contains("."), !notes.contains("relationship") { notes.append("relationship") }
        if isKeyword("NOT") && isKeyword("IN", at: 1) {
            position += 2
            return try parseIn(field, negated: true, &notes)
        }
        if accept("IN") { return try parseIn(field, negated: false, &notes) }
        if accept("LIKE") {
            guard case .string(let pattern)? = current else { throw unexpected() }
            position += 1
            return .like(field: field, pattern: pattern)
        }
        if isKeyword("INCLUDES") || isKeyword("EXCLUDES") {
            throw SOQLSyntaxError(message: "INCLUDES and EXCLUDES are not supported by the simulated org")
        }
        guard case .symbol(let symbol)? = current, let op = SOQLOperator(rawValue: symbol) else { throw unexpected() }
        position += 1
        return .compare(field: field, op: op, value: try parseValue())
    }

    private mutating func parseIn(_ field: String, negated: Bool,
                                  _ notes: inout [String]) throws(SOQLSyntaxError) -> SOQLExpression {
        try expectSymbol("(")
        if isKeyword("SELECT") {
            if !notes.contains("semi-join") { notes.append("semi-join") }
            _ = try parseSelect()
            try expectSymbol(")")
            return .semiJoin(field: field, negated: negated)
        }
        var values: [SOQLValue] = []
        repeat { values.append(try parseValue()) } while acceptSymbol(",")
        try expectSymbol(")")
        return .inList(field: field, values: values, negated: negated)
    }

    private mutating func parseValue() throws(SOQLSyntaxError) -> SOQLValue {
        switch current {
        case .string(let s)?: position += 1; return .string(s)
        case .number(let n)?: position += 1; return .number(n)
        case .date(let d)?: position += 1; return .date(d)
        case .word(let w)?:
            switch w.uppercased() {
            case "TRUE": position += 1; return .bool(true)
            case "FALSE": position += 1; return .bool(false)
            case "NULL": position += 1; return .null
            default: throw unexpected()
            }
        default: throw unexpected()
        }
    }
}
