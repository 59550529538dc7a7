/// The one rule for the names a file gives (a model's, an experiment's, a variant's, a fault's):
/// they are stored, printed, and become report folders and file names, so each must survive all
/// three unchanged.
///
/// A name is 1 to ``longest`` characters, none of them a control character (a NUL would cut it
/// short in SQLite's C interface and in file names, a newline would break a report's tables), and
/// is neither `.` nor `..` (folder names of their own on every system).
public enum RunName {
    /// The longest name, in characters: file systems allow 255 bytes per folder name, and a
    /// report's folder adds a prefix and a seed to a run's names.
    public static let longest = 200

    /// What is wrong with `name`, or nil when it is a good name.
    public static func problem(_ name: String) -> String? {
        if name.isEmpty { return "a name needs at least one character" }
        if name.count > longest { return "a name is at most \(longest) characters, found \(name.count)" }
        if let control = name.unicodeScalars.first(where: { $0.properties.generalCategory == .control }) {
            let code = "U+" + String(control.value, radix: 16, uppercase: true).leftPadded(to: 4)
            return "a name cannot hold a control character (\(code) at character \(Self.position(of: control, in: name)))"
        }
        if name == "." || name == ".." { return "'\(name)' is not a name (it is a folder of its own on every system)" }
        if name.allSatisfy(\.isWhitespace) { return "a name needs a character that is not a space" }
        return nil
    }

    static func position(of scalar: Unicode.Scalar, in name: String) -> Int {
        (name.unicodeScalars.firstIndex(of: scalar).map { name.unicodeScalars.distance(from: name.unicodeScalars.startIndex, to: $0) } ?? 0) + 1
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
