using System.Diagnostics.Metrics;

namespace UserKeyedJwt;

/// <summary>The <see cref="UserKeyedJwtDiagnostics.MeterName"/> meter and the core's instruments.</summary>
internal sealed class UserKeyedJwtMetrics : IDisposable
{
    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _validations;
    private readonly Counter<long> _storeLookups;
    private readonly Counter<long> _cacheHits;
    private readonly Counter<long> _cacheMisses;
    private readonly Counter<long> _issued;
    private readonly Counter<long> _refreshes;
    private readonly Counter<long> _sessionsStarted;
    private readonly Counter<long> _sessionsEnded;
    private readonly Counter<long> _cacheBypasses;
    private readonly Counter<long> _cacheInvalidations;

    public UserKeyedJwtMetrics(IMeterFactory? meterFactory = null)
    {
        if (meterFactory is null)
        {
            _meter = new Meter(UserKeyedJwtDiagnostics.MeterName);
            _ownsMeter = true;
        }
        else
        {
            _meter = meterFactory.Create(UserKeyedJwtDiagnostics.MeterName);
        }

        _validations = _meter.CreateCounter<long>("userkeyedjwt.validations", "{token}", "Token validations, by result and failure reason.");
        _storeLookups = _meter.CreateCounter<long>("userkeyedjwt.store.lookups", "{lookup}", "Reads of the users, sessions and revoked-tokens stores that a key derivation needs, by store and outcome.");
        _cacheHits = _meter.CreateCounter<long>("userkeyedjwt.key_cache.hits", "{lookup}", "Derived-key cache hits.");
        _cacheMisses = _meter.CreateCounter<long>("userkeyedjwt.key_cache.misses", "{lookup}", "Derived-key cache misses.");
        _issued = _meter.CreateCounter<long>("userkeyedjwt.tokens.issued", "{token}", "Tokens issued, by purpose.");
        _refreshes = _meter.CreateCounter<long>("userkeyedjwt.sessions.refreshes", "{refresh}", "Refresh-token redemptions, by result: redeemed, grace, reused (theft suspected) or rejected.");
        _sessionsStarted = _meter.CreateCounter<long>("userkeyedjwt.sessions.started", "{session}", "Sessions started (sign-ins).");
        _sessionsEnded = _meter.CreateCounter<long>("userkeyedjwt.sessions.ended", "{session}", "Sessions ended, by reason: logout, logout_others, logout_all, ended (one by id), reused, cap.");
        _cacheBypasses = _meter.CreateCounter<long>("userkeyedjwt.key_cache.bypasses", "{lookup}", "Lookups that skipped the key cache because its invalidation bus was not known to be connected.");
        _cacheInvalidations = _meter.CreateCounter<long>("userkeyedjwt.key_cache.invalidations", "{invalidation}", "Users dropped from the key cache, by source: local (this node) or remote (received from the invalidation bus).");
    }

    public void Validated(TokenPurpose purpose) =>
        _validations.Add(1, new KeyValuePair<string, object?>("result", "success"), new KeyValuePair<string, object?>("purpose", PurposeTag(purpose)));

    public void Rejected(TokenPurpose purpose, TokenFailureReason reason) =>
        _validations.Add(
            1,
            new KeyValuePair<string, object?>("result", "failure"),
            new KeyValuePair<string, object?>("purpose", PurposeTag(purpose)),
            new KeyValuePair<string, object?>("reason", ReasonTag(reason)));

    public void StoreLookup(string store, string outcome) =>
        _storeLookups.Add(1, new KeyValuePair<string, object?>("store", store), new KeyValuePair<string, object?>("outcome", outcome));

    public void CacheHit() => _cacheHits.Add(1);

    public void CacheMiss() => _cacheMisses.Add(1);

    public void CacheBypassed() => _cacheBypasses.Add(1);

    public void KeyCacheInvalidated(string source) => _cacheInvalidations.Add(1, new KeyValuePair<string, object?>("source", source));

    /// <summary>Publishes the state of the invalidation bus: 1 while connected (the key cache in use), 0 otherwise.</summary>
    public void ObserveInvalidationBus(Func<bool> connected) =>
        _meter.CreateObservableGauge("userkeyedjwt.invalidation_bus.connected", () => connected() ? 1 : 0, "{state}", "1 while the cross-node invalidation bus is connected and the key cache is in use; 0 while it is bypassed.");

    public void Issued(TokenPurpose purpose) => _issued.Add(1, new KeyValuePair<string, object?>("purpose", PurposeTag(purpose)));

    public void Refresh(string result) => _refreshes.Add(1, new KeyValuePair<string, object?>("result", result));

    public void SessionStarted() => _sessionsStarted.Add(1);

    public void SessionsEnded(string reason, int count) => _sessionsEnded.Add(count, new KeyValuePair<string, object?>("reason", reason));

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    public static string PurposeTag(TokenPurpose purpose) => purpose == TokenPurpose.Refresh ? "refresh" : "access";

    public static string ReasonTag(TokenFailureReason reason) => reason switch
    {
        TokenFailureReason.Malformed => "malformed",
        TokenFailureReason.WrongPurpose => "wrong_purpose",
        TokenFailureReason.Expired => "expired",
        TokenFailureReason.NotYetValid => "not_yet_valid",
        TokenFailureReason.UnknownServerSecret => "unknown_server_secret",
        TokenFailureReason.InvalidKidTag => "invalid_kid_tag",
        TokenFailureReason.UnknownUser => "unknown_user",
        TokenFailureReason.SessionEnded => "session_ended",
        TokenFailureReason.KeyInputsChanged => "key_inputs_changed",
        TokenFailureReason.InvalidSignature => "invalid_signature",
        TokenFailureReason.StoreUnavailable => "store_unavailable",
        TokenFailureReason.TokenRevoked => "token_revoked",
        _ => "other",
    };
}
