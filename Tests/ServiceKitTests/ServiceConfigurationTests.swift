import Foundation
import ServiceKit
import Testing

@Suite("ServiceConfiguration")
struct ServiceConfigurationTests {
    @Test("${VAR} and ${VAR:default} are substituted and typed like YAML scalars")
    func substitutesEnvironment() throws {
        let yaml = """
        max_workers: ${WORKERS:10}
        SALESFORCE:
          USERNAME: ${SF_USER}
          PASSWORD: "${SF_PASSWORD}"
          PUSHTOPIC_REPLAY_ENABLED: ${REPLAY:false}
          LOGIN_URL: ${LOGIN_URL:http://127.0.0.1:${PORT:8080}}
          API_VERSION: 64.0
        """
        let config = try ServiceConfiguration.parse(yaml: yaml, environment: ["SF_USER": "me@example.com", "SF_PASSWORD": "12345", "WORKERS": "4"])
        #expect(try config.optionalInt("max_workers") == 4)
        #expect(config.value("max_workers") == .int(4))
        #expect(try config.string("SALESFORCE.USERNAME") == "me@example.com")
        #expect(config.value("SALESFORCE.PASSWORD") == .string("12345"), "quoted values stay strings")
        #expect(try config.optionalBool("SALESFORCE.PUSHTOPIC_REPLAY_ENABLED") == false)
        #expect(try config.string("SALESFORCE.LOGIN_URL") == "http://127.0.0.1:8080", "nested defaults")
        #expect(try config.optionalVersion("SALESFORCE.API_VERSION") == "64.0")
    }

    @Test("an unset variable without a default is an error naming the variable and the key")
    func undefinedVariable() {
        #expect(throws: ConfigurationError.undefinedEnvironmentVariable(name: "SF_USER", key: "SALESFORCE.USERNAME")) {
            try ServiceConfiguration.parse(yaml: "SALESFORCE:\n  USERNAME: ${SF_USER}", environment: [:])
        }
    }

    @Test("typed accessors name the key that is missing or of the wrong type")
    func typedErrors() throws {
        let config = try ServiceConfiguration.parse(yaml: "A:\n  B: [1, 2]\n  C: maybe", environment: [:])
        #expect(throws: ConfigurationError.missingKey("A.X")) { try config.string("A.X") }
        #expect(throws: ConfigurationError.wrongType(key: "A.B", expected: "a string", found: "a list")) { try config.string("A.B") }
        #expect(throws: ConfigurationError.wrongType(key: "A.C", expected: "a boolean", found: "'maybe'")) { try config.optionalBool("A.C") }
        #expect(try config.optionalString("A.missing") == nil)
        #expect(config.section("A").value("C") == .string("maybe"))
    }

    @Test("a missing file, invalid YAML and a non-mapping document are clear errors")
    func fileErrors() throws {
        #expect(throws: ConfigurationError.fileNotFound(path: "/nonexistent/config.yaml")) {
            try ServiceConfiguration.load(path: "/nonexistent/config.yaml")
        }
        #expect(throws: ConfigurationError.self) { try ServiceConfiguration.parse(yaml: "a: [1, 2", environment: [:]) }
        #expect(throws: ConfigurationError.invalidYAML(path: "<string>", reason: "the top level must be a mapping of keys")) {
            try ServiceConfiguration.parse(yaml: "- 1\n- 2", environment: [:])
        }
    }

    @Test("load reads a file from disk")
    func loadsFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("config-\(UUID()).yaml").path
        try "max_workers: 3\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try ServiceConfiguration.load(path: path, environment: [:]).optionalInt("max_workers") == 3)
    }
}
