using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using UserKeyedJwt;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers UserKeyedJwt sessions: refresh-token rotation, reuse detection and the revocation list.</summary>
public static class UserKeyedJwtSessionServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="UserKeyedSessions"/> and the revocation check, with the in-memory <see cref="IRevokedTokenStore"/>
    /// unless another store is registered (before or after). Also registers the core (<c>AddUserKeyedJwt</c>). Calling this
    /// twice is harmless.
    /// </summary>
    public static IServiceCollection AddUserKeyedJwtSessions(this IServiceCollection services) => services.AddUserKeyedJwtSessions(_ => { });

    /// <summary>
    /// Registers <see cref="UserKeyedSessions"/> and the revocation check, with session settings validated at startup.
    /// See <see cref="AddUserKeyedJwtSessions(IServiceCollection)"/>.
    /// </summary>
    public static IServiceCollection AddUserKeyedJwtSessions(this IServiceCollection services, Action<UserKeyedSessionOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);

        services.AddUserKeyedJwt();
        services.AddOptions<UserKeyedSessionOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<UserKeyedSessionOptions>, UserKeyedSessionOptionsValidator>());
        services.TryAddSingleton<IRevokedTokenStore>(static sp => new InMemoryRevokedTokenStore(
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<UserKeyedSessionOptions>>().Value.InMemoryStoreCapacity));
        services.TryAddSingleton(static sp => new RevocationCheck(
            sp.GetRequiredService<IRevokedTokenStore>(),
            sp.GetRequiredService<IOptions<UserKeyedSessionOptions>>(),
            sp.GetRequiredService<IOptions<UserKeyedJwtOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<UserKeyedJwtMetrics>(),
            sp.GetRequiredService<ILogger<RevocationCheck>>()));
        services.TryAddSingleton(static sp => new UserKeyedSessions(
            sp.GetRequiredService<IOptions<UserKeyedJwtOptions>>(),
            sp.GetRequiredService<IOptions<UserKeyedSessionOptions>>(),
            sp.GetRequiredService<UserKeyedTokenIssuer>(),
            sp.GetRequiredService<UserKeyedTokenHandler>(),
            sp.GetRequiredService<RevocationCheck>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<UserKeyedJwtMetrics>(),
            sp.GetRequiredService<ILogger<UserKeyedSessions>>()));
        return services;
    }
}
