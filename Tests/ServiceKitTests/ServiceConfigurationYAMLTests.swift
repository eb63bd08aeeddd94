import ServiceKit
import Testing

/// What the configuration kept from Yams when it moved to libyaml's event parser (module YAML).
@Suite("ServiceConfiguration YAML reading")
struct ServiceConfigurationYAMLTests {
    @Test("plain scalars are typed, quoted and block scalars stay strings")
    func scalarTyping() throws {
        let config = try ServiceConfiguration.parse(yaml: """
        int: 10
        float: 1.5
        yes_no: true
        nothing: ~
        quoted: '10'
        double_quoted: "true"
        literal: |
          10
        folded: >
          x
        last: 1
        """, environment: [:])
        #expect(config.value("int") == .int(10))
        #expect(config.value("float") == .double(1.5))
        #expect(config.value("yes_no") == .bool(true))
        #expect(config.value("nothing") == nil)
        #expect(config.value("quoted") == .string("10"))
        #expect(config.value("double_quoted") == .string("true"))
        #expect(config.value("literal") == .string("10\n"))
        #expect(config.value("folded") == .string("x\n"))
    }

    @Test("aliases take the anchored value, as Yams resolved them")
    func aliases() throws {
        let config = try ServiceConfiguration.parse(yaml: """
        defaults: &defaults
          TIMEOUT: 5
        SERVICE: *defaults
        PORTS: [&p 80, *p]
        """, environment: [:])
        #expect(try config.optionalInt("SERVICE.TIMEOUT") == 5)
        #expect(config.value("PORTS") == .array([.int(80), .int(80)]))
        #expect(throws: ConfigurationError.self) { try ServiceConfiguration.parse(yaml: "a: *missing", environment: [:]) }
    }

    @Test("a key given twice in one mapping is an invalid-YAML error naming it")
    func duplicateKeys() {
        let error = #expect(throws: ConfigurationError.self) {
            try ServiceConfiguration.parse(yaml: "A:\n  x: 1\n  y: 2\n  x: 3", environment: [:], source: "c.yaml")
        }
        guard case .invalidYAML(let path, let reason)? = error else { Issue.record("\(String(describing: error))"); return }
        #expect(path == "c.yaml")
        #expect(reason.contains("duplicated key(s) in A: 'x'"))
    }

    @Test("malformed YAML and a second document are invalid-YAML errors with a position")
    func malformed() {
        let error = #expect(throws: ConfigurationError.self) { try ServiceConfiguration.parse(yaml: "a: [1, 2", environment: [:]) }
        // libyaml reports the end of the text as the start of the line after it.
        #expect(error?.description == "configuration file <string> is not valid YAML: line 2, column 1: "
                + "did not find expected ',' or ']' (while parsing a flow sequence at line 1, column 4)")
        let second = #expect(throws: ConfigurationError.self) { try ServiceConfiguration.parse(yaml: "a: 1\n---\nb: 2", environment: [:]) }
        #expect(second?.description.contains("but found another document") == true)
    }

    @Test("a file of comments is an empty configuration")
    func commentsOnly() throws {
        #expect(try ServiceConfiguration.parse(yaml: "# nothing yet\n", environment: [:]) == ServiceConfiguration())
        #expect(try ServiceConfiguration.parse(yaml: "", environment: [:]) == ServiceConfiguration())
    }

    @Test("numeric strings are trimmed of spaces and tabs before conversion")
    func trimmedNumbers() throws {
        let config = try ServiceConfiguration.parse(yaml: "a: ' 4 '\nb: \"\\t2.5\\u00a0\"\nc: ' x '", environment: [:])
        #expect(try config.optionalInt("a") == 4)
        #expect(try config.optionalDouble("b") == 2.5)
        #expect(throws: ConfigurationError.wrongType(key: "c", expected: "an integer", found: "' x '")) { try config.optionalInt("c") }
    }

    @Test("versions are written with one decimal, rounded as printf's %.1f does")
    func versions() throws {
        let config = try ServiceConfiguration.parse(yaml: "a: 64.0\nb: 58\nc: 0.25\nd: '60.10'", environment: [:])
        #expect(try config.optionalVersion("a") == "64.0")
        #expect(try config.optionalVersion("b") == "58.0")
        #expect(try config.optionalVersion("c") == "0.2")
        #expect(try config.optionalVersion("d") == "60.10")
    }
}
