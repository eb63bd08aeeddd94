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
