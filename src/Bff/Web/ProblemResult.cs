namespace Bff.Web;

/// <summary>A <see cref="BffError"/> as a minimal-API result.</summary>
internal sealed class ProblemResult(BffError error) : IResult
{
    public Task ExecuteAsync(HttpContext httpContext) => ProblemResponse.WriteAsync(httpContext, error);
}
