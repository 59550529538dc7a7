// swift-tools-version: 6.0
import PackageDescription

// Rooms, with dependencies pointing towards the core:
//   SimulationCore        virtual time, event queue, run loop, random streams, distributions
//   SimulationStatistics  histograms, counters, time-weighted averages, interval series, intervals
//   CircuitBreakers       breaker policies of the ecosystem behind one component, trace replay
//   FailoverModel         the architecture as entities, faults, measurements, verdicts
//   ModelFiles            YAML model and experiment files → typed configuration, located errors
//   RunResults            what a run reports: plain data, canonical encoding, digest, run key
//   RunStore              runs in SQLite (GRDB)
//   ExperimentAnalysis    comparison of variants across seeds: intervals, paired differences
//   Sweeps                runs an experiment's (variant × seed) list on worker threads into the store
//   Reports               timelines, verdict tables and variant charts: SVG, HTML, Markdown, CSV
//   failsim               the command line: parses, calls, prints
//   failsim-bench         benchmarks (not timed tests)
// The engine and the model run on one thread per simulation and never hand out overlapping
// accesses to their state; Swift's dynamic exclusivity checks on class properties cost about 40 %
// of an event (measured: hold model 6.7 → 11.1 M events/s), so they are off in these two targets.
let hotPathSettings: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"])]

let package = Package(
    name: "failsim",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "failsim", targets: ["failsim"]),
        .executable(name: "failsim-bench", targets: ["failsim-bench"]),
        .library(name: "SimulationCore", targets: ["SimulationCore"]),
        .library(name: "FailoverModel", targets: ["FailoverModel"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.1.1"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        .target(
            name: "SimulationCore",
            dependencies: [
                .product(name: "RealModule", package: "swift-numerics"),
            ],
            swiftSettings: hotPathSettings
        ),
        .target(
            name: "SimulationStatistics",
            dependencies: [
                "SimulationCore",
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "RealModule", package: "swift-numerics"),
            ]
        ),
        .target(
            name: "RunResults",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "CircuitBreakers",
            dependencies: [
                "SimulationCore",
                .product(name: "HeapModule", package: "swift-collections"),
            ],
            swiftSettings: hotPathSettings
        ),
        .target(
            name: "FailoverModel",
            dependencies: [
                "SimulationCore",
                "CircuitBreakers",
                "RunResults",
                "SimulationStatistics",
                .product(name: "Collections", package: "swift-collections"),
            ],
            swiftSettings: hotPathSettings
        ),
        .target(
            name: "ModelFiles",
            dependencies: [
                "SimulationCore",
                "FailoverModel",
                "RunResults",
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .target(
            name: "RunStore",
            dependencies: [
                "RunResults",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .target(
            name: "ExperimentAnalysis",
            dependencies: [
                "RunResults",
                "SimulationStatistics",
            ]
        ),
        .target(
            name: "Sweeps",
            dependencies: [
                "ExperimentAnalysis",
                "FailoverModel",
                "ModelFiles",
                "RunStore",
                "RunResults",
                "SimulationCore",
            ]
        ),
        .target(
            name: "Availability",
            dependencies: ["FailoverModel", "ModelFiles", "RunResults", "SimulationCore", "SimulationStatistics"]
        ),
        .target(
            name: "Reports",
            dependencies: [
                "RunResults",
                "ExperimentAnalysis",
                "SimulationStatistics",
            ]
        ),
        .executableTarget(
            name: "failsim",
            dependencies: [
                "SimulationCore",
                "FailoverModel",
                "ModelFiles",
                "RunStore",
                "RunResults",
                "CircuitBreakers",
                "ExperimentAnalysis",
                "Sweeps",
                "Reports",
                "Availability",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "failsim-bench",
            dependencies: [
                "SimulationCore",
                "SimulationStatistics",
                "FailoverModel",
                "ModelFiles",
                "CircuitBreakers",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Collections", package: "swift-collections"),
            ]
        ),
        .testTarget(name: "SimulationCoreTests", dependencies: ["SimulationCore", "SimulationStatistics"]),
        .testTarget(name: "SimulationStatisticsTests", dependencies: ["SimulationStatistics"]),
        .testTarget(name: "FailoverModelTests", dependencies: ["FailoverModel", "ModelFiles"]),
        .testTarget(name: "ModelFilesTests", dependencies: ["ModelFiles"]),
        .testTarget(name: "RunStoreTests", dependencies: ["RunStore", "RunResults"]),
        .testTarget(name: "CircuitBreakersTests", dependencies: ["CircuitBreakers"]),
        .testTarget(name: "ExperimentAnalysisTests", dependencies: ["ExperimentAnalysis", "RunResults", "SimulationCore", "SimulationStatistics"]),
        .testTarget(name: "SweepsTests", dependencies: ["Sweeps", "ExperimentAnalysis", "FailoverModel", "ModelFiles", "RunStore", "RunResults"]),
        .testTarget(name: "ReportsTests", dependencies: ["Reports", "RunResults", "ExperimentAnalysis", "SimulationStatistics", "FailoverModel", "ModelFiles"]),
        .testTarget(name: "AvailabilityTests", dependencies: ["Availability", "FailoverModel", "ModelFiles", "RunResults", "SimulationCore", "SimulationStatistics"]),
        .testTarget(name: "FailsimCommandTests", dependencies: ["failsim", "RunStore"]),
    ]
)
