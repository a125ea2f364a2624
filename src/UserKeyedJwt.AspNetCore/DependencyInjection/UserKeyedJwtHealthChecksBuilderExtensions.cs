using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using UserKeyedJwt;
using UserKeyedJwt.AspNetCore.Diagnostics;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers UserKeyedJwt's health checks.</summary>
public static class UserKeyedJwtHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds two health checks. <c>userkeyedjwt.invalidation_bus</c>: Healthy while the key cache trusts its
    /// <see cref="IUserKeyInvalidationBus"/> (or there is none), Degraded while the bus is not known to be connected and every
    /// token reads the stores. <c>userkeyedjwt.session_store</c>: one read of the <see cref="IUserKeyedSessionStore"/>,
    /// Unhealthy if it fails or takes longer than <see cref="UserKeyedJwtOptions.StoreTimeout"/>. Calling this twice is harmless.
    /// </summary>
    /// <param name="builder">The builder from <c>services.AddHealthChecks()</c>.</param>
    /// <param name="tags">Tags for both checks, to select them in <c>MapHealthChecks</c>.</param>
    public static IHealthChecksBuilder AddUserKeyedJwt(this IHealthChecksBuilder builder, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Configure<HealthCheckServiceOptions>(options =>
        {
            Add(options, new HealthCheckRegistration(
                InvalidationBusName,
                static sp => new InvalidationBusHealthCheck(sp.GetService<IUserKeyCache>(), sp.GetService<IUserKeyInvalidationBus>()),
                failureStatus: HealthStatus.Degraded,
                tags));
            Add(options, new HealthCheckRegistration(
                SessionStoreName,
                static sp => new SessionStoreHealthCheck(sp.GetService<IUserKeyedSessionStore>(), sp.GetRequiredService<IOptions<UserKeyedJwtOptions>>(), sp.GetService<TimeProvider>() ?? TimeProvider.System),
                failureStatus: HealthStatus.Unhealthy,
                tags));
        });
        return builder;
    }

    private const string InvalidationBusName = "userkeyedjwt.invalidation_bus";
    private const string SessionStoreName = "userkeyedjwt.session_store";

    private static void Add(HealthCheckServiceOptions options, HealthCheckRegistration registration)
    {
        // Health check names must be unique; a second call keeps the first registration.
        if (!options.Registrations.Any(r => r.Name == registration.Name))
        {
            options.Registrations.Add(registration);
        }
    }
}
