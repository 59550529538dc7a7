import Foundation
import Testing
import SimulationCore
@testable import CircuitBreakers

@Suite("Trace reader: CSV lines, three time forms, errors with line and field")
struct TraceReaderTests {
    func error(_ text: String) -> TraceError? {
        do {
            _ = try TraceReader.records(in: text)
            return nil
        } catch {
            return error
        }
    }

    @Test("header, seconds, durations, optional and empty duration, spaces, CRLF, comments")
    func forms() throws {
        let text = "time,outcome,duration\r\n0,success\r\n# a comment\r\n\r\n 0.5 , FAILURE , 250ms\r\n1.5s,ignored,\r\n1m30s,attempt,1.5s\r\n"
        let records = try TraceReader.records(in: text)
        #expect(records == [
            TraceRecord(line: 2, time: .zero, outcome: .success),
            TraceRecord(line: 5, time: ms(500), outcome: .failure, duration: .milliseconds(250)),
            TraceRecord(line: 6, time: ms(1_500), outcome: .ignored),
            TraceRecord(line: 7, time: sec(90), outcome: .attempt, duration: .milliseconds(1_500)),
        ])
    }

    @Test("seconds are exact to the nanosecond; further digits round half to even", arguments: [
        ("12", 12_000_000_000),
        ("0.000000001", 1),
        ("12.3456789015", 12_345_678_902),
        ("12.3456789025", 12_345_678_902),
        ("12.34567890251", 12_345_678_903),
        ("+3.25", 3_250_000_000),
        ("9000000000", 9_000_000_000_000_000_000),
    ] as [(String, Int64)])
    func exactSeconds(text: String, nanoseconds: Int64) throws {
        let records = try TraceReader.records(in: "\(text),success\n")
        #expect(records.first?.time.nanoseconds == nanoseconds)
    }

    @Test("ISO-8601 timestamps are relative to the first line, exact for the digits given")
    func timestamps() throws {
        let text = """
            2024-02-28T23:59:59.999999999Z,success
            2024-02-29T00:00:00Z,success
            2024-03-01 01:00:00.5+01:00,failure
            2024-03-01T00:00:00.5000000005-00:30,success
            2024-03-01T00:30:00.5000000015z,success
            2025-02-28T23:59:59.999999999+0000,attempt
            """
        let times = try TraceReader.records(in: text).map(\.time.nanoseconds)
        let day: Int64 = 86_400_000_000_000
        #expect(times == [0, 1, day + 500_000_001, day + 1_800_000_000_000 + 500_000_001,
                          day + 1_800_000_000_000 + 500_000_003, 366 * day])
    }

    @Test("days from the civil calendar agree with Foundation's Gregorian calendar")
    func civilDays() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        var random = RandomStreams(seed: 7).stream(named: "civil-days")
        for _ in 0..<2_000 {
            let year = 1600 + Int(random.nextIndex(below: 800))
            let month = 1 + Int(random.nextIndex(below: 12))
            let day = 1 + Int(random.nextIndex(below: UInt64(TraceReader.daysInMonth(year: year, month: month))))
            let date = try #require(calendar.date(from: DateComponents(year: year, month: month, day: day)))
            let expected = Int64(date.timeIntervalSince1970) / 86_400
            #expect(TraceReader.daysFromCivil(year: year, month: month, day: day) == expected, "\(year)-\(month)-\(day)")
        }
    }

    @Test("a misspelt outcome names the line and the field")
    func misspeltOutcome() throws {
        let error = try #require(self.error("time,outcome\n0,success\n1,sucess\n"))
        #expect(error == TraceError(line: 3, field: .outcome, message: "expected one of success, failure, ignored, attempt, found 'sucess'"))
        #expect(error.description(file: "calls.csv") == "calls.csv:3: field 'outcome': expected one of success, failure, ignored, attempt, found 'sucess'")
    }

    @Test("malformed lines: the line number and field", arguments: [
        ("0,success\nabc,success\n", 2, TraceField.time),
        ("0,success\n-1,success\n", 2, TraceField.time),
        ("5,success\n4.999,success\n", 2, TraceField.time),
        ("0,success\n1,failure,12\n", 2, TraceField.duration),
        ("0,success\n1,failure,12 parsecs\n", 2, TraceField.duration),
        ("2024-05-01T00:00:00Z,success\n5,success\n", 2, TraceField.time),
        ("1,success\n2024-05-01T00:00:00Z,success\n", 2, TraceField.time),
        ("2024-02-30T00:00:00Z,success\n", 1, TraceField.time),
        ("2024-05-01T24:00:00Z,success\n", 1, TraceField.time),
        ("2024-05-01T00:00:00+1:00,success\n", 1, TraceField.time),
        ("2024-05-01T00:00:00.Z,success\n", 1, TraceField.time),
        ("time,result\n0,success\n", 1, TraceField.header),
        ("\n\n0,\n", 3, TraceField.outcome),
    ] as [(String, Int, TraceField)])
    func malformed(text: String, line: Int, field: TraceField) throws {
        let error = try #require(self.error(text))
        #expect(error.line == line)
        #expect(error.field == field, "\(error)")
    }

    @Test("the wrong number of fields is an error about the line")
    func fieldCount() throws {
        let one = try #require(error("0,success\n7\n"))
        #expect(one == TraceError(line: 2, field: nil, message: "expected 2 or 3 comma-separated fields (time,outcome[,duration]), found 1"))
        let four = try #require(error("0,success,1s,x\n"))
        #expect(four.message.hasSuffix("found 4"))
    }

    @Test("times going backwards are reported with both times")
    func backwards() throws {
        let error = try #require(self.error("2.5,success\n2.25,failure\n"))
        #expect(error == TraceError(line: 2, field: .time, message: "time goes backwards: 2.25s from the start is before the previous line's 2.5s"))
    }

    @Test("the byte-level duration parser agrees with SimDuration(parsing:)")
    func durationParserAgrees() throws {
        var random = RandomStreams(seed: 11).stream(named: "durations")
        let units = ["ns", "us", "µs", "ms", "s", "m", "h", "d", "", "x", "S"]
        for _ in 0..<5_000 {
            var text = ""
            for _ in 0..<(1 + Int(random.nextIndex(below: 3))) {
                let whole = random.nextIndex(below: 4) == 0 ? "" : String(random.nextIndex(below: 100_000))
                var fraction = ""
                if random.nextIndex(below: 2) == 0 {
                    fraction = "." + (0..<Int(random.nextIndex(below: 21))).map { _ in String(random.nextIndex(below: 10)) }.joined()
                }
                text += whole + fraction + units[Int(random.nextIndex(below: UInt64(units.count)))]
            }
            let expected = try? SimDuration(parsing: text).nanoseconds
            let bytes = Array(text.utf8)
            let parsed = bytes.withUnsafeBytes { raw in
                TraceReader(unsafeBytes: raw).parseDuration(0, raw.count, bareUnit: nil)
            }
            switch parsed {
            case .value(let nanoseconds): #expect(nanoseconds == expected, "'\(text)'")
            case .malformed, .overflow: #expect(expected == nil, "'\(text)' was rejected")
            }
        }
    }
}
