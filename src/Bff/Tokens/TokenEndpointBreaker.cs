using Bff.Configuration;
using Microsoft.Extensions.Options;

namespace Bff.Tokens;

/// <summary>
/// The token endpoint's circuit breaker, per instance: after <see cref="Threshold"/> failed calls in a row
/// (5xx, timeouts, network errors, garbage; not a rejected or refused grant) it opens for
/// <c>Bff:Tokens:FailureBackoff</c>, doubled at each reopening up to <c>Bff:Tokens:MaxFailureBackoff</c>. While
/// open no call is made; then one probe goes through, and its outcome closes or reopens it. An outage of the
/// provider is not made worse by the gateway.
/// </summary>
internal sealed class TokenEndpointBreaker(IOptions<BffOptions> options, TimeProvider time)
{
    public const int Threshold = 5;

    private readonly TimeSpan _initial = options.Value.Tokens.FailureBackoff;
    private readonly TimeSpan _max = options.Value.Tokens.MaxFailureBackoff;
    private readonly Lock _gate = new();
    private int _failuresInRow;
    private int _openings;
    private DateTimeOffset _openUntil;
    private bool _probing;

    /// <summary>Whether a call may go out now; when not, <paramref name="retryAfter"/> says for how long at least.</summary>
    public bool TryPass(out TimeSpan retryAfter)
    {
        lock (_gate)
        {
            retryAfter = TimeSpan.Zero;
            if (_failuresInRow < Threshold)
            {
                return true;
            }

            var now = time.GetUtcNow();
            if (now < _openUntil || _probing)
            {
                retryAfter = now < _openUntil ? _openUntil - now : _initial;
                return false;
            }

            _probing = true;
            return true;
        }
    }

    /// <summary>The outcome of a call that <see cref="TryPass"/> let through.</summary>
    public void Report(bool failed)
    {
        lock (_gate)
        {
            _probing = false;
            if (!failed)
            {
                (_failuresInRow, _openings) = (0, 0);
                return;
            }

            if (++_failuresInRow >= Threshold)
            {
                var openFor = TimeSpan.FromTicks(Math.Min(_initial.Ticks << Math.Min(_openings, 16), _max.Ticks));
                _openings++;
                _openUntil = time.GetUtcNow() + openFor;
            }
        }
    }
}
