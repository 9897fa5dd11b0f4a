using System.Globalization;

namespace Bff.Tests.Infrastructure;

/// <summary>How the benchmarks print a difference against their baseline: always signed.</summary>
public static class SignedDifference
{
    /// <summary>
    /// To <paramref name="decimals"/> places, with its sign; one that rounds to zero is "+0.00". A small negative one
    /// printed as "-+0.00" through a "+0.00;-0.00" format (its negative section falls back to the first).
    /// </summary>
    public static string Format(double difference, int decimals)
    {
        var rounded = Math.Round(difference, decimals);
        var places = new string('0', decimals);
        return (rounded == 0 ? 0 : rounded).ToString($"+0.{places};-0.{places}", CultureInfo.InvariantCulture);
    }
}
