using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace UserKeyedJwt.Tests.Support;

/// <summary>
/// Drives the server-secret ring through the real options-reload path (IOptionsMonitor change tokens), as a
/// configuration reload in production would.
/// </summary>
public sealed class RingControl : IOptionsChangeTokenSource<UserKeyedJwtOptions>
{
    private CancellationTokenSource _changed = new();

    public RingControl(params (string Id, string Secret)[] secrets)
    {
        foreach (var (id, secret) in secrets)
        {
            Secrets.Add((id, secret));
        }

        Active = secrets[0].Id;
    }

    public List<(string Id, string Secret)> Secrets { get; } = [];

    public string? Active { get; set; }

    public string Name => Options.DefaultName;

    public IChangeToken GetChangeToken() => new CancellationChangeToken(_changed.Token);

    /// <summary>Publishes the current <see cref="Secrets"/> and <see cref="Active"/> as a configuration reload.</summary>
    public void Reload()
    {
        var previous = Interlocked.Exchange(ref _changed, new CancellationTokenSource());
        previous.Cancel();
        previous.Dispose();
    }

    public void Register(IServiceCollection services)
    {
        services.AddSingleton<IOptionsChangeTokenSource<UserKeyedJwtOptions>>(this);
        services.Configure<UserKeyedJwtOptions>(o =>
        {
            o.ServerSecrets.Clear();
            foreach (var (id, secret) in Secrets)
            {
                o.ServerSecrets.Add(new ServerSecretOptions { Id = id, Secret = secret });
            }

            o.ActiveSecretId = Active;
        });
    }
}
