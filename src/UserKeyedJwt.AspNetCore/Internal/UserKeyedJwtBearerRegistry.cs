using Microsoft.Extensions.DependencyInjection;

namespace UserKeyedJwt.AspNetCore.Internal;

/// <summary>
/// Remembers, while services are registered, which authentication schemes are UserKeyedJwt schemes, so that a second
/// <c>AddUserKeyedJwtBearer</c> call for one scheme does not add it twice.
/// </summary>
/// <remarks>Written only during registration, read-only afterwards, so concurrent reads at request time are safe.</remarks>
internal sealed class UserKeyedJwtBearerRegistry
{
    private readonly HashSet<string> _schemes = new(StringComparer.Ordinal);

    public bool IsUserKeyedScheme(string? name) => name is not null && _schemes.Contains(name);

    public IReadOnlyCollection<string> Schemes => _schemes;

    public bool AddScheme(string name) => _schemes.Add(name);

    public static UserKeyedJwtBearerRegistry GetOrAdd(IServiceCollection services)
    {
        foreach (var descriptor in services)
        {
            if (descriptor.ServiceType == typeof(UserKeyedJwtBearerRegistry) && !descriptor.IsKeyedService
                && descriptor.ImplementationInstance is UserKeyedJwtBearerRegistry existing)
            {
                return existing;
            }
        }

        var registry = new UserKeyedJwtBearerRegistry();
        services.AddSingleton(registry);
        return registry;
    }
}
