import Foundation

/// Evaluating WHERE conditions against records, with SOQL's semantics: text compares without
/// regard to letter case, `null` equals a missing or null field, comparisons with `null` are false.
extension SOQLExpression {
    func matches(_ record: JSONObject) -> Bool {
        switch self {
        case .and(let terms): return terms.allSatisfy { $0.matches(record) }
        case .or(let terms): return terms.contains { $0.matches(record) }
        case .not(let e): return !e.matches(record)
        case .compare(let field, let op, let value):
            return Self.compare(record[field] ?? .null, op, value)
        case .inList(let field, let values, let negated):
            let v = record[field] ?? .null
            let found = values.contains { Self.compare(v, .equal, $0) }
            return negated ? !found : found
        case .like(let field, let pattern):
            guard let text = Self.text(record[field] ?? .null) else { return false }
            return Self.like(text, pattern)
        case .semiJoin: return false
        }
    }

    /// The expression with every field name passed through `rename`.
    func renamingFields(_ rename: (String) -> String) -> SOQLExpression {
        switch self {
        case .and(let terms): .and(terms.map { $0.renamingFields(rename) })
        case .or(let terms): .or(terms.map { $0.renamingFields(rename) })
        case .not(let e): .not(e.renamingFields(rename))
        case .compare(let f, let op, let v): .compare(field: rename(f), op: op, value: v)
        case .inList(let f, let values, let negated): .inList(field: rename(f), values: values, negated: negated)
        case .like(let f, let p): .like(field: rename(f), pattern: p)
        case .semiJoin(let f, let negated): .semiJoin(field: rename(f), negated: negated)
        }
    }

    static func text(_ value: JSONValue) -> String? {
        switch value {
        case .string(let s): s
        case .int(let i): String(i)
        case .double(let d): String(d)
        case .bool(let b): b ? "true" : "false"
        default: nil
        }
    }

    static func compare(_ field: JSONValue, _ op: SOQLOperator, _ literal: SOQLValue) -> Bool {
        if case .null = literal {
            let isNull = field == .null
            switch op {
            case .equal: return isNull
            case .notEqual: return !isNull
            default: return false
            }
        }
        if field == .null { return op == .notEqual }
        if op == .equal || op == .notEqual, case .string(let a) = field, case .string(let b) = literal,
           let same = sameRecordID(a, b) {
            return op == .equal ? same : !same
        }
        let order: ComparisonResult?
        switch (field, literal) {
        case (.bool(let a), .bool(let b)): order = a == b ? .orderedSame : (a ? .orderedDescending : .orderedAscending)
        case (.int(let a), .number(let b)): order = compareNumbers(Double(a), b)
        case (.double(let a), .number(let b)): order = compareNumbers(a, b)
        case (.string(let a), .number(let b)): order = Double(a).map { compareNumbers($0, b) }
        case (.string(let a), .string(let b)), (.string(let a), .date(let b)):
            order = a.compare(b, options: [.caseInsensitive])
        case (.string(let a), .bool(let b)): order = a.lowercased() == (b ? "true" : "false") ? .orderedSame : nil
        default: order = nil
        }
        guard let order else { return op == .notEqual }
        switch op {
        case .equal: return order == .orderedSame
        case .notEqual: return order != .orderedSame
        case .less: return order == .orderedAscending
        case .greater: return order == .orderedDescending
        case .lessOrEqual: return order != .orderedDescending
        case .greaterOrEqual: return order != .orderedAscending
        }
    }

    /// Whether a 15-character and an 18-character record ID denote the same record
    /// (`nil` unless one is 15 and the other 18 letters and digits).
    static func sameRecordID(_ a: String, _ b: String) -> Bool? {
        let (short, long) = a.utf8.count < b.utf8.count ? (a, b) : (b, a)
        guard short.utf8.count == 15, long.utf8.count == 18,
              (short + long).allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else { return nil }
        return long.hasPrefix(short)
    }

    private static func compareNumbers(_ a: Double, _ b: Double) -> ComparisonResult {
        a == b ? .orderedSame : (a < b ? .orderedAscending : .orderedDescending)
    }

    /// `%` any run, `_` one character, `\%` `\_` literal; case-insensitive.
    static func like(_ text: String, _ pattern: String) -> Bool {
        enum Piece: Equatable { case any, one, char(Character) }
        var pieces: [Piece] = []
        var escaped = false
        for c in pattern {
            if escaped { pieces.append(.char(c)); escaped = false; continue }
            switch c {
            case "\\": escaped = true
            case "%": pieces.append(.any)
            case "_": pieces.append(.one)
            default: pieces.append(.char(c))
            }
        }
        let chars = Array(text.lowercased())
        let lowered = pieces.map { p -> Piece in
            if case .char(let c) = p { return .char(Character(c.lowercased())) }
            return p
        }
        // Dynamic programming over (piece, char).
        var row = [Bool](repeating: false, count: chars.count + 1)
        row[0] = true
        for p in lowered {
            var next = [Bool](repeating: false, count: chars.count + 1)
            for j in 0...chars.count {
                switch p {
                case .any: next[j] = row[j] || (j > 0 && next[j - 1])
                case .one: next[j] = j > 0 && row[j - 1]
                case .char(let c): next[j] = j > 0 && row[j - 1] && chars[j - 1] == c
                }
            }
            row = next
        }
        return row[chars.count]
    }
}
