using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace UserKeyedJwt;

/// <summary>
/// Holds the current ring and rebuilds it when the options change, so that adding, activating or removing a secret
/// (the global kill switch) takes effect without a restart. An invalid reload keeps the last valid ring and logs an error.
/// </summary>
internal sealed class ServerSecretRingProvider : IDisposable
{
    private readonly IDisposable? _subscription;
    private readonly ILogger _logger;
    private volatile ServerSecretRing _ring;

    public ServerSecretRingProvider(IOptionsMonitor<UserKeyedJwtOptions> options, ILogger<ServerSecretRingProvider> logger)
    {
        _logger = logger;
        _ring = ServerSecretRing.Create(options.CurrentValue);
        _subscription = options.OnChange((_, name) =>
        {
            if (name is not null && name.Length != 0)
            {
                return;
            }

            try
            {
                _ring = ServerSecretRing.Create(options.CurrentValue);
                Log.ServerSecretRingReloaded(_logger, _ring.Secrets.Count, _ring.Active.Id);
            }
            catch (Exception ex) when (ex is OptionsValidationException or InvalidOperationException)
            {
                Log.ServerSecretRingReloadFailed(_logger, ex.Message);
            }
        });
    }

    public ServerSecretRing Current => _ring;

    public void Dispose() => _subscription?.Dispose();
}
