import Foundation

/// How a writer waits when another process holds the database's write lock for longer than the
/// busy timeout (``RunStore/busyTimeoutSeconds``): it pauses and tries again, each pause
/// ``growth`` times the last (at most ``longestPauseSeconds``), until ``maximumWaitSeconds`` have
/// passed since the first try. A finished run is worth waiting for: it may have taken hours.
public struct BusyPolicy: Sendable, Equatable {
    /// The longest total wait, busy timeouts included; 0 gives up at the first busy timeout.
    public var maximumWaitSeconds: Double
    /// The first pause after a busy timeout.
    public var firstPauseSeconds: Double
    /// Each pause is the last times this.
    public var growth: Double
    /// No pause is longer than this.
    public var longestPauseSeconds: Double

    public init(maximumWaitSeconds: Double = 120, firstPauseSeconds: Double = 1, growth: Double = 2, longestPauseSeconds: Double = 30) {
        precondition(maximumWaitSeconds >= 0 && firstPauseSeconds > 0 && growth >= 1 && longestPauseSeconds >= firstPauseSeconds,
                     "a busy policy waits a non-negative time in growing positive pauses")
        self.maximumWaitSeconds = maximumWaitSeconds
        self.firstPauseSeconds = firstPauseSeconds
        self.growth = growth
        self.longestPauseSeconds = longestPauseSeconds
    }
}

/// One pause of a writer waiting for a busy database, for telling the user.
public struct BusyWait: Sendable, Equatable, CustomStringConvertible {
    public var path: String
    /// The attempt that just met the lock (1 for the first).
    public var attempt: Int
    /// Seconds since the first attempt.
    public var waitedSeconds: Double
    /// The pause before the next attempt.
    public var pauseSeconds: Double
    public var maximumWaitSeconds: Double

    public var description: String {
        String(format: "%@ is locked by another process; trying again in %.0f s (waited %.0f s of at most %.0f s)",
               path, pauseSeconds, waitedSeconds, maximumWaitSeconds)
    }
}

extension RunStore {
    /// Where runs are kept when the database at `path` stays locked: a store of its own next to
    /// it (`runs.sqlite` → `runs-aside.sqlite`), which `failsim merge` imports.
    public static func asidePath(for path: String) -> String {
        let url = URL(fileURLWithPath: path)
        let base = url.pathExtension == "sqlite" ? url.deletingPathExtension().lastPathComponent : url.lastPathComponent
        let name = base + "-aside.sqlite"
        let folder = (path as NSString).deletingLastPathComponent
        return folder.isEmpty ? name : (folder as NSString).appendingPathComponent(name)
    }
}

/// The database stayed locked by another process for longer than a ``BusyPolicy`` waits:
/// nothing was stored.
public struct StoreBusy: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var operation: String
    public var waitedSeconds: Double
    public var attempts: Int

    public var description: String {
        String(format: "%@: %@: the database stayed locked by another process (waited %.0f s, %d attempts)",
               path, operation, waitedSeconds, attempts)
    }
}
