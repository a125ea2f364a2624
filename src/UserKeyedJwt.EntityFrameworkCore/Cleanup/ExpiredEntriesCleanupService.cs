using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using UserKeyedJwt.EntityFrameworkCore.Diagnostics;

namespace UserKeyedJwt.EntityFrameworkCore.Cleanup;

/// <summary>
/// Deletes ended sessions and expired denylist entries at startup and then every
/// <see cref="UserKeyedJwtEntityFrameworkCoreOptions.CleanupInterval"/>, through the registered stores, whichever they are.
/// A failed sweep is logged and tried again at the next tick.
/// </summary>
internal sealed class ExpiredEntriesCleanupService(
    IUserKeyedSessionStore sessions,
    IRevokedTokenStore revokedTokens,
    IOptions<UserKeyedJwtEntityFrameworkCoreOptions> options,
    IOptions<UserKeyedSessionOptions> sessionOptions,
    TimeProvider time,
    ILogger<ExpiredEntriesCleanupService> logger) : BackgroundService
{
    private readonly TimeSpan _interval = options.Value.CleanupInterval;
    private readonly TimeSpan _inactivityTimeout = sessionOptions.Value.InactivityTimeout;

    // Started with the service, not when ExecuteAsync gets a thread, so that the sweeps keep to the clock from startup.
    private readonly PeriodicTimer _timer = new(options.Value.CleanupInterval, time);

    public override void Dispose()
    {
        _timer.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            do
            {
                await SweepAsync(stoppingToken).ConfigureAwait(false);
            }
            while (await _timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task SweepAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        try
        {
            var removed = await sessions.RemoveExpiredAsync(now, now - _inactivityTimeout, cancellationToken).ConfigureAwait(false);
            if (removed > 0)
            {
                Log.ExpiredSessionsRemoved(logger, removed);
            }
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            Log.SweepFailed(logger, "sessions", _interval, e);
        }

        try
        {
            var removed = await revokedTokens.RemoveExpiredAsync(now, cancellationToken).ConfigureAwait(false);
            if (removed > 0)
            {
                Log.ExpiredRevokedTokensRemoved(logger, removed);
            }
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            Log.SweepFailed(logger, "the denylist", _interval, e);
        }
    }
}
