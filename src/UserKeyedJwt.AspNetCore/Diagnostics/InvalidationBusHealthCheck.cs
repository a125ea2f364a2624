using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace UserKeyedJwt.AspNetCore.Diagnostics;

/// <summary>
/// Reports the invalidation bus as the key cache sees it. A bus that is down is Degraded, never Unhealthy: the cache is
/// bypassed and every token reads the stores, which is slower but never wrong.
/// </summary>
internal sealed class InvalidationBusHealthCheck(IUserKeyCache? cache, IUserKeyInvalidationBus? bus) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (cache is null)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("UserKeyedJwt is not registered: call services.AddUserKeyedJwt(...)."));
        }

        if (bus is null)
        {
            return Task.FromResult(HealthCheckResult.Healthy("No invalidation bus is registered: one node, the key cache is in use."));
        }

        var data = new Dictionary<string, object> { ["bus"] = bus.GetType().Name, ["key_cache_bypassed"] = cache.IsBypassed };
        return Task.FromResult(cache.IsBypassed
            ? HealthCheckResult.Degraded("The invalidation bus is not known to be connected: the key cache is bypassed and every token reads the stores.", data: data)
            : HealthCheckResult.Healthy("The invalidation bus is connected: the key cache is in use.", data));
    }
}
