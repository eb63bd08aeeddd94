// swift-tools-version: 6.1
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "swift-salesforce-streaming",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "ServiceKit", targets: ["ServiceKit"]),
        .library(name: "ServiceKitTesting", targets: ["ServiceKitTesting"]),
        .library(name: "JSON", targets: ["JSON"]),
        .library(name: "YAML", targets: ["YAML"]),
        .library(name: "Bayeux", targets: ["Bayeux"]),
        .library(name: "HTTPTransport", targets: ["HTTPTransport"]),
        .library(name: "Redis", targets: ["Redis"]),
        .library(name: "RedisEvents", targets: ["RedisEvents"]),
        .library(name: "Salesforce", targets: ["Salesforce"]),
        .library(name: "SalesforceStreaming", targets: ["SalesforceStreaming"]),
        .library(name: "SalesforceSimulator", targets: ["SalesforceSimulator"]),
        .library(name: "SalesforceSimulatorServer", targets: ["SalesforceSimulatorServer"]),
        .executable(name: "salesforce-simulator", targets: ["salesforce-simulator"]),
        .executable(name: "demo", targets: ["demo"]),
        .executable(name: "example-service", targets: ["example-service"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        // Already a dependency of Hummingbird; named to run the simulator's server in a ServiceGroup.
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    ],
    targets: [
        // C libraries, wrapped by thin modules; nothing above them sees a pointer.
        .systemLibrary(name: "CCurl", path: "Sources/CCurl", pkgConfig: "libcurl",
                       providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CHiredis", path: "Sources/CHiredis", pkgConfig: "hiredis",
                       providers: [.apt(["libhiredis-dev"])]),
        .systemLibrary(name: "CYAML", path: "Sources/CYAML", pkgConfig: "yaml-0.1",
                       providers: [.apt(["libyaml-dev"])]),
        .target(name: "HTTPTransport",
                dependencies: ["CCurl", .product(name: "Logging", package: "swift-log")],
                swiftSettings: strict),
        .target(name: "Redis",
                dependencies: ["CHiredis", .product(name: "Logging", package: "swift-log")],
                swiftSettings: strict),
        // YAML nodes read by libyaml's event parser (configuration files).
        .target(name: "YAML", dependencies: ["CYAML"], swiftSettings: strict),

        // The project's JSON value and its fast parser, shared by every module that speaks JSON.
        .target(name: "JSON", swiftSettings: strict),

        // The Bayeux (CometD) protocol: message model, state machine, long-polling session.
        .target(name: "Bayeux",
                dependencies: ["JSON", "HTTPTransport", .product(name: "Logging", package: "swift-log"),
                               .product(name: "Metrics", package: "swift-metrics")],
                swiftSettings: strict),

        // The Nameko-style container core: services, entrypoints, dependencies, workers, config.
        .target(name: "ServiceKit",
                dependencies: [.product(name: "Logging", package: "swift-log"), "YAML"],
                swiftSettings: strict),

        // Nameko-style events (EventDispatcher, @EventHandler) over Redis Streams.
        .target(name: "RedisEvents",
                dependencies: ["ServiceKit", "Redis", "Bayeux", .product(name: "Logging", package: "swift-log")],
                swiftSettings: strict),

        // Salesforce login and REST, shared by streaming and the API dependency.
        .target(name: "Salesforce",
                dependencies: ["JSON", "HTTPTransport", "ServiceKit", .product(name: "Logging", package: "swift-log")],
                swiftSettings: strict),

        // Streaming entrypoints (Subscribe, ...), the shared streaming client, replay stores.
        .target(name: "SalesforceStreaming",
                dependencies: ["Bayeux", "HTTPTransport", "Redis", "Salesforce", "ServiceKit",
                               .product(name: "Logging", package: "swift-log")],
                swiftSettings: strict),

        // The local Salesforce org simulator: engine (no network) and its HTTP server.
        .target(name: "SalesforceSimulator",
                dependencies: ["JSON", "HTTPTransport", .product(name: "Logging", package: "swift-log")],
                exclude: ["ControlAPI.md"],
                swiftSettings: strict),
        .target(name: "SalesforceSimulatorServer",
                dependencies: ["SalesforceSimulator", "HTTPTransport",
                               .product(name: "Hummingbird", package: "hummingbird"),
                               .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")],
                swiftSettings: strict),
        .executableTarget(name: "salesforce-simulator",
                          dependencies: ["SalesforceSimulatorServer"],
                          swiftSettings: strict),

        // Helpers for users' unit tests (worker factory, in-memory container runs).
        .target(name: "ServiceKitTesting",
                dependencies: ["ServiceKit", "Salesforce", "SalesforceStreaming", "SalesforceSimulator",
                               .product(name: "Logging", package: "swift-log")],
                swiftSettings: strict),

        // Example services, compiled and run by tests; `demo` is the README's first command.
        .target(name: "Examples",
                dependencies: ["ServiceKit", "Salesforce", "SalesforceStreaming", "RedisEvents",
                               .product(name: "Logging", package: "swift-log")],
                path: "Examples/Services",
                swiftSettings: strict),
        .executableTarget(name: "demo",
                          dependencies: ["Examples", "ServiceKit", "SalesforceSimulator", "SalesforceSimulatorServer",
                                         .product(name: "Logging", package: "swift-log")],
                          path: "Examples/demo",
                          swiftSettings: strict),
        .executableTarget(name: "example-service",
                          dependencies: ["Examples", "ServiceKit", .product(name: "Logging", package: "swift-log")],
                          path: "Examples/example-service",
                          swiftSettings: strict),

        // Test helpers shared by test targets: starting Redis and Faye through the scripts, bounded waits.
        .target(name: "TestSupport", dependencies: ["ServiceKit"], path: "Tests/TestSupport"),
        // The service the no-loss test runs as a child process (Tests/NoLossTests).
        .executableTarget(name: "loss-check-service",
                          dependencies: ["ServiceKit", "SalesforceStreaming", "Redis",
                                         .product(name: "Logging", package: "swift-log")],
                          path: "Tests/LossCheckService",
                          exclude: ["config.yaml"],
                          swiftSettings: strict),

        .testTarget(name: "HTTPTransportTests",
                    dependencies: ["HTTPTransport", "TestSupport", .product(name: "Hummingbird", package: "hummingbird")]),
        .testTarget(name: "RedisTests", dependencies: ["Redis", "TestSupport"]),
        .testTarget(name: "RedisEventsTests", dependencies: ["RedisEvents", "ServiceKit", "Redis", "Bayeux", "TestSupport"]),
        .testTarget(name: "JSONTests", dependencies: ["JSON"]),
        .testTarget(name: "YAMLTests", dependencies: ["YAML"]),
        .testTarget(name: "BayeuxTests", dependencies: ["Bayeux", "HTTPTransport", "TestSupport"]),
        .testTarget(name: "ServiceKitTests", dependencies: ["ServiceKit", "TestSupport"]),
        .testTarget(name: "ServiceKitTestingTests",
                    dependencies: ["ServiceKitTesting", "ServiceKit", "Salesforce", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "SalesforceTests", dependencies: ["Salesforce", "SalesforceSimulator", "HTTPTransport", "TestSupport"]),
        .testTarget(name: "SalesforceStreamingTests",
                    dependencies: ["SalesforceStreaming", "ServiceKitTesting", "SalesforceSimulator",
                                   "SalesforceSimulatorServer", "Bayeux", "HTTPTransport", "ServiceKit", "Redis", "TestSupport",
                                   .product(name: "MetricsTestKit", package: "swift-metrics")]),
        .testTarget(name: "SalesforceSimulatorTests",
                    dependencies: ["SalesforceSimulator", "SalesforceSimulatorServer", "HTTPTransport", "TestSupport"]),
        .testTarget(name: "ExamplesTests",
                    dependencies: ["Examples", "ServiceKitTesting", "SalesforceStreaming", "ServiceKit",
                                   "SalesforceSimulator", "SalesforceSimulatorServer", "example-service", "RedisEvents",
                                   "Redis", "TestSupport"]),
        .testTarget(name: "NoLossTests",
                    dependencies: ["SalesforceSimulator", "SalesforceSimulatorServer", "Redis", "loss-check-service",
                                   "TestSupport"]),
    ]
)
