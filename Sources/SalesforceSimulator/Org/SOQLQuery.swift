/// A parsed SOQL query, as far as the simulated org understands SOQL:
/// `SELECT f1, f2 FROM Obj [WHERE cond] [ORDER BY f [ASC|DESC]] [LIMIT n]`.
///
/// Constructs the simulator recognizes but does not run (aggregates, relationships, GROUP BY,
/// OFFSET, semi-joins, TYPEOF) are parsed far enough to be named in ``unsupported``, so PushTopic
/// validation can refuse them the way Salesforce does.
struct SOQLQuery: Sendable, Hashable {
    /// The SELECT list as written (names may be in any letter case).
    var fields: [String]
    var object: String
    var condition: SOQLExpression?
    var orderBy: [SOQLOrder] = []
    var limit: Int?
    /// Constructs present that PushTopic queries refuse, in the words the error uses
    /// (e.g. `ORDER BY`, `LIMIT`, `NOT`).
    var unsupported: [String] = []

    /// Parses SOQL text.
    /// - Throws: ``SOQLSyntaxError`` with Salesforce-like wording.
    init(parsing text: String) throws(SOQLSyntaxError) {
        var parser = try SOQLParser(text)
        self = try parser.parseQuery()
    }

    init(fields: [String], object: String) {
        self.fields = fields
        self.object = object
    }

    /// Every field the WHERE clause names.
    var whereFields: [String] { condition?.fields ?? [] }
}

/// One `ORDER BY` key.
struct SOQLOrder: Sendable, Hashable {
    var field: String
    var ascending: Bool
}

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

/// A SOQL text that does not parse.
struct SOQLSyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
    var message: String
    var description: String { message }
}
