import Testing
@testable import Availability

@Test func moduleLinks() {
    #expect(String(describing: AvailabilityModule.self) == "AvailabilityModule")
}
