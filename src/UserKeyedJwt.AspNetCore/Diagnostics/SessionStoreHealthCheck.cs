using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace UserKeyedJwt.AspNetCore.Diagnostics;

/// <summary>
/// Probes the session store with one read of a session that does not exist, bounded by
/// <see cref="UserKeyedJwtOptions.StoreTimeout"/>. A store that fails is Unhealthy: every refresh, and every session token
/// whose key is not cached, is then rejected (<see cref="TokenFailureReason.StoreUnavailable"/>).
/// </summary>
internal sealed class SessionStoreHealthCheck(IUserKeyedSessionStore? store, IOptions<UserKeyedJwtOptions> options, TimeProvider time) : IHealthCheck
{
    // The library's session ids are 22 characters (16 random bytes, base64url): this one is never a real session.
    private const string ProbeSessionId = "userkeyedjwt-health-probe";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (store is null)
        {
            return HealthCheckResult.Healthy("Sessions are not registered.");
        }

        var data = new Dictionary<string, object> { ["store"] = store.GetType().Name };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.StoreTimeout);
        try
        {
            await store.FindAsync(ProbeSessionId, timeout.Token).AsTask().WaitAsync(options.Value.StoreTimeout, time, cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy("The session store answers.", data);
        }
        catch (TimeoutException)
        {
            return HealthCheckResult.Unhealthy($"The session store did not answer within {options.Value.StoreTimeout}.", data: data);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"The session store did not answer within {options.Value.StoreTimeout}.", data: data);
        }
#pragma warning disable CA1031 // Whatever the store throws is the answer: the store is down.
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
        {
            // The type only: a database's message can name its server or user, and health endpoints are often public.
            return HealthCheckResult.Unhealthy($"The session store failed: {ex.GetType().Name}.", data: data);
        }
    }
}
