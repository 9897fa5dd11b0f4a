namespace Bff.Tests.Infrastructure;

/// <summary>
/// The plain fleet: two gateway instances, one Redis, the strict provider, no sweeper. As a class fixture,
/// each test class that uses it gets a fleet of its own.
/// </summary>
public sealed class TwoInstanceFleet() : FleetFixture(instances: 2);
