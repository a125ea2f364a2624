using FsCheck.Xunit;
using Microsoft.IdentityModel.JsonWebTokens;
using UserKeyedJwt.Tests.Support;
using static UserKeyedJwt.Tests.Validation.CacheIndependencePropertyTests;

namespace UserKeyedJwt.Tests.Validation;

/// <summary>
/// The same session token gets the same verdict whatever the key cache holds: cold, warm with its own session's key, with a
/// sibling session's, with the other purpose's, or with another user's; for a live session and for an ended one. The
/// variants are those of <see cref="CacheIndependencePropertyTests"/>, signed again under this session's key, a sibling
/// session's, or the user's key without a session.
/// </summary>
public class SessionCacheIndependencePropertyTests
{
    public enum SessionSigning
    {
        Kept,
        SessionKey,
        SiblingSessionKey,
        UserKeyWithoutSession,
    }

    [Property(Arbitrary = [typeof(Arbitraries)], MaxTest = 200)]
    public async Task Verdict_AnyVariantOfASessionToken_IsTheSameWhateverTheCacheHolds(Variant variant, SessionSigning signing, bool refresh, bool ended)
    {
        using var f = new SessionFixture();
        var alice = f.AddUser();
        var bob = f.AddUser("bob", "stamp-b");
        var purpose = refresh ? TokenPurpose.Refresh : TokenPurpose.Access;
        var other = refresh ? TokenPurpose.Access : TokenPurpose.Refresh;
        var mine = await f.StartAsync(alice);
        var sibling = await f.StartAsync(alice);
        var bobs = await f.StartAsync(bob);
        string Of(SessionTokens tokens, TokenPurpose p) => p == TokenPurpose.Refresh ? tokens.RefreshToken.Token : tokens.AccessToken.Token;
        var genuine = Of(mine, purpose);
        var context = new VariantContext(genuine, new JsonWebToken(Of(mine, other)).Kid, new JsonWebToken(Of(bobs, purpose)).Kid, f.Time.GetUtcNow().ToUnixTimeSeconds());
        var (header, payload) = variant.Edit(context);
        var token = signing switch
        {
            SessionSigning.Kept => $"{Tokens.Encode(header)}.{Tokens.Encode(payload)}.{genuine.Split('.')[2]}",
            SessionSigning.SessionKey => Tokens.SignRaw(header, payload, f.KeyOf(alice, purpose, mine.Session)),
            SessionSigning.SiblingSessionKey => Tokens.SignRaw(header, payload, f.KeyOf(alice, purpose, sibling.Session)),
            _ => Tokens.SignRaw(header, payload, f.KeyOf(alice, purpose, null)),
        };
        if (ended)
        {
            Assert.True(await f.Sessions.EndAsync("user-1", mine.Session.Id, SessionEndReason.Logout, "user-1", TestContext.Current.CancellationToken));
        }

        var verdicts = new List<string>();
        async Task Judge(string state)
        {
            var result = await f.Handler.ValidateAsync(token, purpose, TestContext.Current.CancellationToken);
            verdicts.Add($"{state}: {(result.IsValid ? "valid for " + result.UserId : result.FailureReason.ToString())}");
        }

        async Task Warm(string state, string with, TokenPurpose p)
        {
            f.Cache.Clear();
            await f.Handler.ValidateAsync(with, p, TestContext.Current.CancellationToken);
            await Judge(state);
        }

        f.Cache.Clear();
        await Judge("cold");
        await Judge("after judging it once");
        await Warm("warm with its session's key", genuine, purpose);
        await Warm("warm with a sibling session's key", Of(sibling, purpose), purpose);
        await Warm("warm with the other purpose's key", Of(mine, other), other);
        await Warm("warm with another user's key", Of(bobs, purpose), purpose);

        var verdict = verdicts[0][(verdicts[0].IndexOf(':', StringComparison.Ordinal) + 2)..];
        Assert.True(verdicts.TrueForAll(v => v.EndsWith(": " + verdict, StringComparison.Ordinal)), $"{variant} {signing} ended={ended}: {string.Join("; ", verdicts)}");
        if (variant.Name == "genuine" && signing is SessionSigning.Kept or SessionSigning.SessionKey)
        {
            Assert.Equal(ended ? nameof(TokenFailureReason.SessionEnded) : "valid for user-1", verdict);
        }
    }
}
