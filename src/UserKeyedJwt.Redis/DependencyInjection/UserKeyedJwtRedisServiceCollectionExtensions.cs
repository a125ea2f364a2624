using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using UserKeyedJwt;
using UserKeyedJwt.Redis;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Redis revocation list of UserKeyedJwt.</summary>
public static class UserKeyedJwtRedisServiceCollectionExtensions
{
    /// <summary>
    /// Makes <see cref="RedisRevokedTokenStore"/> the <see cref="IRevokedTokenStore"/> (replacing the in-memory one, before or
    /// after <c>AddUserKeyedJwtSessions</c>), with its settings validated at startup. Calling this twice is harmless; each
    /// <paramref name="configure"/> is applied.
    /// </summary>
    public static IServiceCollection AddUserKeyedJwtRedis(this IServiceCollection services, Action<RedisRevokedTokenStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<RedisRevokedTokenStoreOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RedisRevokedTokenStoreOptions>, RedisRevokedTokenStoreOptionsValidator>());
        services.AddLogging();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<RedisRevokedTokenStore>();
        services.RemoveAll<IRevokedTokenStore>();
        services.AddSingleton<IRevokedTokenStore>(static sp => sp.GetRequiredService<RedisRevokedTokenStore>());
        return services;
    }
}
