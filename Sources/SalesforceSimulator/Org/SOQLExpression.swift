/// A SOQL literal.
enum SOQLValue: Sendable, Hashable {
    case string(String)
    case number(Double)
    case bool(Bool)
    case null
    /// A date or date-time literal (`2024-01-31`, `2024-01-31T10:00:00Z`), compared as text.
    case date(String)
}

/// A comparison operator.
enum SOQLOperator: String, Sendable, Hashable {
    case equal = "=", notEqual = "!=", less = "<", greater = ">", lessOrEqual = "<=", greaterOrEqual = ">="
}

/// A WHERE condition.
indirect enum SOQLExpression: Sendable, Hashable {
    case and([SOQLExpression])
    case or([SOQLExpression])
    case not(SOQLExpression)
    case compare(field: String, op: SOQLOperator, value: SOQLValue)
    case inList(field: String, values: [SOQLValue], negated: Bool)
    case like(field: String, pattern: String)
    /// `Field IN (SELECT ...)`: recognized, never evaluated.
    case semiJoin(field: String, negated: Bool)

    /// The fields named, in order of appearance (duplicates kept).
    var fields: [String] {
        switch self {
        case .and(let list), .or(let list): list.flatMap(\.fields)
        case .not(let e): e.fields
        case .compare(let f, _, _), .inList(let f, _, _), .like(let f, _), .semiJoin(let f, _): [f]
        }
    }
}
