// swift-tools-version: 6.1
// Benchmarks live in their own package (swift-nio's layout) so that package-benchmark and its
// dependencies stay out of the library's build and tests. From this folder:
//   swift package benchmark                        # every benchmark
//   swift build -c release --product bench-service # the client that peers/run measures
// See README.md.
import PackageDescription

let strict: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny")]

// `name:` fixes the root package's identity: a path dependency is otherwise named after its folder,
// which differs between clones (main, a worktree, CI's checkout).
let root = "swift-salesforce-streaming"

let package = Package(
    name: "swift-salesforce-streaming-benchmarks",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "bench-service", targets: ["bench-service"]),
    ],
    dependencies: [
        .package(name: root, path: ".."),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        // Services, entrypoints and stores shared by the benchmarks and bench-service.
        .target(
            name: "BenchSupport",
            dependencies: [
                .product(name: "Bayeux", package: root),
                .product(name: "Redis", package: root),
                .product(name: "ServiceKit", package: root),
                .product(name: "SalesforceStreaming", package: root),
            ],
            path: "Sources/BenchSupport",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "StreamingBenchmarks",
            dependencies: [
                "BenchSupport",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Bayeux", package: root),
                .product(name: "HTTPTransport", package: root),
                .product(name: "Salesforce", package: root),
                .product(name: "ServiceKit", package: root),
                .product(name: "SalesforceStreaming", package: root),
                .product(name: "SalesforceSimulator", package: root),
                .product(name: "SalesforceSimulatorServer", package: root),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/StreamingBenchmarks",
            swiftSettings: strict,
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // The Swift side of peers/run: a @Subscribe service (or a bare draining client) against a
        // simulator over HTTP, printing one JSON result line.
        .executableTarget(
            name: "bench-service",
            dependencies: [
                "BenchSupport",
                .product(name: "Bayeux", package: root),
                .product(name: "HTTPTransport", package: root),
                .product(name: "Salesforce", package: root),
                .product(name: "ServiceKit", package: root),
                .product(name: "SalesforceStreaming", package: root),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/bench-service",
            swiftSettings: strict
        ),
    ]
)
