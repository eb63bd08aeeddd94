import CYAML

/// One libyaml parser over a UTF-8 buffer, yielding its events one at a time as Swift values.
///
/// The only type that touches libyaml: the parser is allocated and initialized in `init` and
/// deleted in `deinit`, and every event is deleted right after its data has been copied out, on
/// success and on error alike. The buffer must outlive the parser (the caller scopes both).
struct EventParser: ~Copyable {
    /// A libyaml event with its strings copied into Swift.
    enum Event {
        case streamStart
        case streamEnd
        case documentStart
        case documentEnd
        case alias(anchor: String)
        case scalar(value: String, plain: Bool, anchor: String?)
        case sequenceStart(anchor: String?)
        case sequenceEnd
        case mappingStart(anchor: String?)
        case mappingEnd
    }

    private let parser: UnsafeMutablePointer<yaml_parser_t>
    private let bytes: UnsafeBufferPointer<UInt8>

    /// - Precondition: `bytes` is not empty (libyaml requires a non-null input pointer).
    init(bytes: UnsafeBufferPointer<UInt8>) throws(YAMLError) {
        precondition(!bytes.isEmpty, "EventParser needs at least one byte of input")
        let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
        guard yaml_parser_initialize(parser) == 1 else {
            parser.deallocate()
            throw YAMLError(problem: "out of memory", line: 1, column: 1)
        }
        yaml_parser_set_input_string(parser, bytes.baseAddress, bytes.count)
        self.parser = parser
        self.bytes = bytes
    }

    deinit {
        yaml_parser_delete(parser)
        parser.deallocate()
    }

    /// The next event and the position (line, column, from 1) where it starts.
    func next() throws(YAMLError) -> (event: Event, line: Int, column: Int) {
        var raw = yaml_event_t()
        guard yaml_parser_parse(parser, &raw) == 1 else {
            yaml_event_delete(&raw)
            throw error()
        }
        defer { yaml_event_delete(&raw) }
        let line = Int(raw.start_mark.line) + 1
        let column = Int(raw.start_mark.column) + 1
        let event: Event
        switch raw.type {
        case YAML_STREAM_START_EVENT: event = .streamStart
        case YAML_STREAM_END_EVENT: event = .streamEnd
        case YAML_DOCUMENT_START_EVENT: event = .documentStart
        case YAML_DOCUMENT_END_EVENT: event = .documentEnd
        case YAML_ALIAS_EVENT: event = .alias(anchor: Self.string(raw.data.alias.anchor) ?? "")
        case YAML_SCALAR_EVENT:
            let scalar = raw.data.scalar
            let value = String(decoding: UnsafeBufferPointer(start: scalar.value, count: Int(scalar.length)),
                               as: UTF8.self)
            event = .scalar(value: value, plain: scalar.style == YAML_PLAIN_SCALAR_STYLE,
                            anchor: Self.string(scalar.anchor))
        case YAML_SEQUENCE_START_EVENT: event = .sequenceStart(anchor: Self.string(raw.data.sequence_start.anchor))
        case YAML_SEQUENCE_END_EVENT: event = .sequenceEnd
        case YAML_MAPPING_START_EVENT: event = .mappingStart(anchor: Self.string(raw.data.mapping_start.anchor))
        case YAML_MAPPING_END_EVENT: event = .mappingEnd
        default:
            throw YAMLError(problem: "libyaml produced an unexpected event (\(raw.type.rawValue))", line: line, column: column)
        }
        return (event, line, column)
    }

    private static func string(_ text: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        text.map { String(cString: $0) }
    }

    /// The parser's error state as a `YAMLError`.
    private func error() -> YAMLError {
        let state = parser.pointee
        let problem = state.problem.map { String(cString: $0) } ?? "unknown problem"
        switch state.error {
        case YAML_MEMORY_ERROR:
            return YAMLError(problem: "out of memory", line: 1, column: 1)
        case YAML_READER_ERROR:
            // Reader errors (bad bytes, control characters) report a byte offset, not a mark.
            let (line, column) = position(ofByte: Int(state.problem_offset))
            let value = state.problem_value == -1 ? "" : " #x" + String(state.problem_value, radix: 16, uppercase: true)
            return YAMLError(problem: problem + value, line: line, column: column)
        default:
            let context = state.context.map { String(cString: $0) }
            return YAMLError(problem: problem,
                             line: Int(state.problem_mark.line) + 1, column: Int(state.problem_mark.column) + 1,
                             context: context,
                             contextPosition: context == nil ? nil
                                : .init(line: Int(state.context_mark.line) + 1, column: Int(state.context_mark.column) + 1))
        }
    }

    /// Line and column (from 1, columns in Unicode scalars) of a byte offset into the input.
    private func position(ofByte offset: Int) -> (line: Int, column: Int) {
        var line = 1
        var column = 1
        for byte in bytes.prefix(offset) {
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0b1100_0000 != 0b1000_0000 {  // not a UTF-8 continuation byte
                column += 1
            }
        }
        return (line, column)
    }
}
