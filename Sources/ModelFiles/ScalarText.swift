import Yams

/// How the text of a YAML scalar reads as a boolean, a number or null — the rules
/// `LocatedYAMLDecoder` documents.
enum ScalarText {
    /// Plain scalars that mean "no value" (YAML 1.2 core schema).
    static let nullWords: Set<String> = ["", "~", "null", "Null", "NULL"]

    /// YAML 1.1 spellings of booleans that YAML 1.2 reads as strings; refused for `Bool` with a hint.
    static let yamlOneOneBooleans: Set<String> = ["yes", "no", "on", "off", "y", "n"]

    /// Tags a scalar may carry: none, `!` (quoted), and the core schema's own.
    static let supportedTags: Set<Tag.Name> = [.implicit, .nonSpecific, .str, .int, .float, .bool, .null]

    /// `true`/`True`/`TRUE` and `false`/`False`/`FALSE` only (YAML 1.2 core schema).
    static func bool(_ text: String) -> Bool? {
        switch text {
        case "true", "True", "TRUE": true
        case "false", "False", "FALSE": false
        default: nil
        }
    }

    enum IntegerReading<T> {
        case value(T)
        case notANumber
        case outOfRange
    }

    /// An optional sign, then decimal digits, `0x` and hexadecimal digits or `0o` and octal digits
    /// (the YAML 1.2 core schema's three forms, which Yams reads too); `_` may separate digits
    /// (`1_000_000`). Checked for overflow digit by digit.
    static func integer<T: FixedWidthInteger>(_ text: String, as type: T.Type) -> IntegerReading<T> {
        var scalars = Substring(text).unicodeScalars[...]
        var isNegative = false
        if let sign = scalars.first, sign == "+" || sign == "-" {
            isNegative = sign == "-"
            scalars = scalars.dropFirst()
        }
        var radix: T = 10
        if scalars.starts(with: "0x".unicodeScalars) || scalars.starts(with: "0X".unicodeScalars) {
            radix = 16
            scalars = scalars.dropFirst(2)
        } else if scalars.starts(with: "0o".unicodeScalars) {
            radix = 8
            scalars = scalars.dropFirst(2)
        }
        guard let first = scalars.first, first != "_", scalars.last != "_" else { return .notANumber }
        var value: T = 0
        var overflowed = false
        for scalar in scalars {
            if scalar == "_" { continue }
            guard let digit: T = hexDigit(scalar), digit < radix else { return .notANumber }
            if overflowed { continue }
            let (shifted, o1) = value.multipliedReportingOverflow(by: radix)
            let (next, o2) = isNegative ? shifted.subtractingReportingOverflow(digit) : shifted.addingReportingOverflow(digit)
            if o1 || o2 { overflowed = true } else { value = next }
        }
        return overflowed ? .outOfRange : .value(value)
    }

    private static func hexDigit<T: FixedWidthInteger>(_ scalar: Unicode.Scalar) -> T? {
        switch scalar {
        case "0"..."9": T(scalar.value - 48)
        case "a"..."f": T(scalar.value - 87)
        case "A"..."F": T(scalar.value - 55)
        default: nil
        }
    }

    /// `.inf`, `-.Inf`, `.nan` and the like, which YAML allows but configuration does not.
    static func isInfinityOrNaN(_ text: String) -> Bool {
        var body = Substring(text)
        if body.first == "+" || body.first == "-" { body = body.dropFirst() }
        return [".inf", ".nan", "inf", "nan", "infinity"].contains(body.lowercased())
    }

    /// Decimal notation only: an optional sign, digits with an optional fraction (`1.5`, `.5`,
    /// `2.`), an optional exponent (`1e-3`); `_` may separate digits.
    static func floatingPoint<T: BinaryFloatingPoint & LosslessStringConvertible>(_ text: String) -> T? {
        let cleaned = text.filter { $0 != "_" }
        var scalars = Substring(cleaned).unicodeScalars[...]
        if let sign = scalars.first, sign == "+" || sign == "-" { scalars = scalars.dropFirst() }
        var mantissaDigits = 0
        while let c = scalars.first, ("0"..."9").contains(c) { mantissaDigits += 1; scalars = scalars.dropFirst() }
        if scalars.first == "." {
            scalars = scalars.dropFirst()
            while let c = scalars.first, ("0"..."9").contains(c) { mantissaDigits += 1; scalars = scalars.dropFirst() }
        }
        guard mantissaDigits > 0 else { return nil }
        if let e = scalars.first, e == "e" || e == "E" {
            scalars = scalars.dropFirst()
            if let sign = scalars.first, sign == "+" || sign == "-" { scalars = scalars.dropFirst() }
            var exponentDigits = 0
            while let c = scalars.first, ("0"..."9").contains(c) { exponentDigits += 1; scalars = scalars.dropFirst() }
            guard exponentDigits > 0 else { return nil }
        }
        guard scalars.isEmpty, !text.hasPrefix("_"), !text.hasSuffix("_") else { return nil }
        return T(cleaned)
    }

    /// "'fastst' is not one of: first, fastest; did you mean 'fastest'?"
    static func unknownChoice(_ text: String, among choices: [String]) -> String {
        var message = "'\(text)' is not one of: " + choices.joined(separator: ", ")
        if let suggestion = didYouMean(text, among: choices) { message += "; did you mean '\(suggestion)'?" }
        return message
    }
}
