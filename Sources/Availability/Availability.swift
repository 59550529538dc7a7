/// Annual uptime estimation for failsim: an incident library of request-level runs, resampled
/// across simulated years (`failsim uptime`).
public enum AvailabilityModule {}
