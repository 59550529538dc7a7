import Testing
@testable import SimulationCore

/// The guide-table search must return exactly the binary search's index for every u, or runs
/// would change: compared here at every place where the two could part.
@Suite("Cumulative table: indexed search equals binary search")
struct CumulativeTableTests {
    /// The cumulative table `Distribution.zipf` builds for these parameters.
    static func zipfTable(count: Int, exponent: Double) throws -> CumulativeTable {
        guard case .zipf(let ranks, _) = try Distribution.zipf(count: count, exponent: exponent).shape else {
            throw TableMissing()
        }
        return ranks
    }

    struct TableMissing: Error {}

    /// Every probe where the answer can change: 0, each cumulative value and its neighbours,
    /// each bucket's lower end and its neighbours, the values nearest 1, and uniform draws.
    static func probes(_ table: CumulativeTable, seed: UInt64, draws: Int) -> [Double] {
        var probes: [Double] = [0, 0.0.nextUp, 1, 1.0.nextDown, 1 - 0x1p-53, 0.5, -0.25, 1.5]
        for value in table.cumulative { probes += [value, value.nextDown, value.nextUp] }
        let buckets = Int(table.bucketCount)
        for bucket in 0...buckets {
            let edge = Double(bucket) / Double(buckets)
            probes += [edge, edge.nextDown, edge.nextUp]
        }
        var source = RandomStreams(seed: seed).stream(named: "cumulative-table")
        for _ in 0..<draws { probes.append(source.nextUniform()) }
        return probes
    }

    static func expectSameIndex(_ table: CumulativeTable, seed: UInt64, draws: Int = 20_000, _ label: String) {
        var mismatches: [String] = []
        for u in probes(table, seed: seed, draws: draws) {
            let guided = table.index(of: u)
            let searched = Distribution.lowerBound(table.cumulative, u)
            if guided != searched && mismatches.count < 5 { mismatches.append("u = \(u): \(guided) ≠ \(searched)") }
        }
        #expect(mismatches.isEmpty, "\(label): \(mismatches.joined(separator: "; "))")
    }

    @Test("Zipf tables of many sizes and exponents", arguments: [
        (1, 1.0), (2, 1.0), (3, 0.0), (7, 1.2), (1000, 1.0), (1023, 0.8), (1024, 1.1), (1025, 1.2), (4097, 2.0),
        (100_000, 1.0), (5000, 6.0), (300, 0.0),
    ])
    func zipf(count: Int, exponent: Double) throws {
        let table = try Self.zipfTable(count: count, exponent: exponent)
        #expect(table.cumulative.count == count)
        #expect(Int(table.bucketCount) >= count && Int(table.bucketCount) < 2 * max(count, 1))
        Self.expectSameIndex(table, seed: UInt64(count), "zipf(\(count), \(exponent))")
    }

    @Test("Tables with repeated values, a last value below 1, and steps finer than a bucket")
    func awkwardTables() {
        let tables: [[Double]] = [
            [0.5],
            [0, 0, 0, 1],
            [0.25, 0.25, 0.25, 0.5, 0.5, 1, 1, 1],
            [0.1, 0.2, 0.3],  // ends below 1: u above it gives the last index
            (1...1000).map { 1 - 1 / Double($0) },  // crowded towards 1
            (1...1000).map { Double($0) * 1e-6 } + [1],  // crowded towards 0
            [0.125, 0.125.nextUp, 0.25.nextDown, 0.25, 0.75, 0.75.nextUp, 1],  // on and beside bucket edges
        ]
        for (number, values) in tables.enumerated() {
            Self.expectSameIndex(CumulativeTable(cumulative: values), seed: UInt64(100 + number), draws: 5_000, "table \(number)")
        }
    }

    @Test("Zipf draws through the table are those of the binary search, draw for draw")
    func drawsUnchanged() throws {
        let distribution = try Distribution.zipf(count: 1000, exponent: 1.0)
        let table = try Self.zipfTable(count: 1000, exponent: 1.0)
        var sampled = RandomStreams(seed: 9).stream(named: "tenants")
        var searched = sampled
        for _ in 0..<100_000 {
            let rank = distribution.sample(&sampled)
            #expect(rank == Double(Distribution.lowerBound(table.cumulative, searched.nextUniform()) + 1))
        }
    }

    @Test("Equal tables are equal distributions")
    func equality() throws {
        #expect(try Distribution.zipf(count: 50, exponent: 1) == Distribution.zipf(count: 50, exponent: 1))
        #expect(try Distribution.zipf(count: 50, exponent: 1) != Distribution.zipf(count: 51, exponent: 1))
        #expect(try Distribution.zipf(count: 50, exponent: 1) != Distribution.zipf(count: 50, exponent: 1.5))
    }
}
