/// Why a text is not a YAML document ``YAMLNode/parse(_:resolvingAliases:)`` accepts: libyaml's
/// problem text and where it was found.
public struct YAMLError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong, in libyaml's words (`did not find expected ',' or ']'`).
    public let problem: String
    /// The line of the problem, counted from 1.
    public let line: Int
    /// The column of the problem, counted from 1 in characters (Unicode scalars).
    public let column: Int
    /// What was being read when the problem was found (`while parsing a flow sequence`), if known.
    public let context: String?
    /// Where the construct named by `context` starts, as (line, column) counted from 1.
    let contextPosition: Position?

    struct Position: Sendable, Hashable {
        var line: Int
        var column: Int
    }

    init(problem: String, line: Int, column: Int, context: String? = nil, contextPosition: Position? = nil) {
        self.problem = problem
        self.line = line
        self.column = column
        self.context = context
        self.contextPosition = contextPosition
    }

    /// `line 1, column 9: did not find expected ',' or ']' (while parsing a flow sequence at line 1, column 4)`
    public var description: String {
        var text = "line \(line), column \(column): \(problem)"
        if let context {
            text += " (\(context)"
            if let contextPosition { text += " at line \(contextPosition.line), column \(contextPosition.column)" }
            text += ")"
        }
        return text
    }
}
