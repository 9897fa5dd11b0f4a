using System.Text.Json;

namespace Bff.Web;

/// <summary>Writes a <see cref="BffError"/> as problem JSON; a 503 carries Retry-After. Never a redirect.</summary>
internal static class ProblemResponse
{
    /// <param name="context">The request answered.</param>
    /// <param name="error">What to answer.</param>
    /// <param name="retryAfter">For a 503: how long until a retry can succeed (a back-off), in whole seconds rounded up; by default <see cref="BffError.RetryAfterSeconds"/>.</param>
    public static Task WriteAsync(HttpContext context, BffError error, TimeSpan? retryAfter = null)
    {
        var response = context.Response;
        response.StatusCode = error.Status;
        response.ContentType = "application/problem+json";
        response.Headers.CacheControl = "no-store";
        if (error.Status == StatusCodes.Status503ServiceUnavailable)
        {
            var seconds = retryAfter is { } wait ? (int)Math.Max(1, Math.Ceiling(wait.TotalSeconds)) : BffError.RetryAfterSeconds;
            response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return response.Body.WriteAsync(Serialize(error)).AsTask();
    }

    private static byte[] Serialize(BffError error)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("type", "about:blank");
            writer.WriteString("title", error.Title);
            writer.WriteNumber("status", error.Status);
            writer.WriteString("error", error.Code);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
