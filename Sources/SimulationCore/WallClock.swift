extension Duration {
    /// This duration in seconds, as a `Double`: whole seconds plus the attoseconds as the fraction.
    ///
    /// For wall-clock time measured with a `ContinuousClock` (how long a run, a sweep or a
    /// benchmark took), which is reported and never feeds back into results; simulated time is
    /// ``SimDuration``. One definition, so that every report converts the same way.
    @inlinable
    public var inSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) * 1e-18
    }
}
