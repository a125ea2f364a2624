using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.IdentityModel.JsonWebTokens;
using UserKeyedJwt.Tests.Support;

namespace UserKeyedJwt.Tests;

/// <summary>
/// The rules of invalidation, for all inputs: what must revoke a token and what must not.
/// Every change is made the way the library's helpers make it (store update, then cache invalidation); ring changes go
/// through a real options reload.
/// </summary>
public class InvalidationPropertyTests
{
    public enum ChangeKind
    {
        PasswordHash,
        SecurityStamp,
        UserId,
        SetExtraInput,
        RemoveExtraInput,
        RotateInNewActiveSecret,
        RemoveIssuingSecret,
        RemoveOtherSecret,
        Unrelated,
    }

    [Property(Arbitrary = [typeof(Arbitraries)], MaxTest = 150)]
    public async Task Token_ValidatesIffKeyInputsUnchangedAndSecretInRing(UserCase user, Change[] changes)
    {
        var ring = new RingControl(("s0", CoreFixture.NewSecret()));
        using var f = new CoreFixture(ring: ring);
        var world = new World(f, ring, user.Material);
        var original = user.Material;
        var token = f.Issuer.Issue(original).Token;
        const string issuingSecret = "s0";

        Assert.True((await f.Handler.ValidateAsync(token)).IsValid);
        foreach (var change in changes)
        {
            world.Apply(change);

            var expected = SameKeyInputs(world.Material, original) && ring.Secrets.Exists(s => s.Id == issuingSecret);
            var result = await f.Handler.ValidateAsync(token);
            Assert.True(expected == result.IsValid, $"after {change}: expected valid={expected}, got {result.FailureReason}");
            if (!expected)
            {
                Assert.Contains(result.FailureReason, new TokenFailureReason?[] { TokenFailureReason.KeyInputsChanged, TokenFailureReason.UnknownUser, TokenFailureReason.UnknownServerSecret });
            }
        }
    }

    [Property(Arbitrary = [typeof(Arbitraries)])]
    public async Task Token_UnrelatedChangesAndNewActiveSecrets_NeverInvalidate(UserCase user, PositiveInt steps)
    {
        var ring = new RingControl(("s0", CoreFixture.NewSecret()));
        using var f = new CoreFixture(ring: ring);
        var world = new World(f, ring, user.Material);
        var token = f.Issuer.Issue(user.Material).Token;

        for (var i = 0; i < Math.Min(steps.Get, 6); i++)
        {
            world.Apply(new Change(i % 2 == 0 ? ChangeKind.Unrelated : ChangeKind.RotateInNewActiveSecret, $"v{i}"));
            var result = await f.Handler.ValidateAsync(token);
            Assert.True(result.IsValid, $"step {i}: {result.FailureReason}");
        }

        // New tokens are signed under the newest active secret, old ones still under theirs.
        var fresh = f.Issuer.Issue(world.Material).Token;
        Assert.StartsWith(ring.Active + ".", new JsonWebToken(fresh).Kid, StringComparison.Ordinal);
        Assert.StartsWith("s0.", new JsonWebToken(token).Kid, StringComparison.Ordinal);
        Assert.True((await f.Handler.ValidateAsync(fresh)).IsValid);
    }

    [Property(Arbitrary = [typeof(Arbitraries)])]
    public async Task Token_IssuedForA_NeverValidatesAsB(UserCase a, UserCase b)
    {
        if (a.Material.UserId == b.Material.UserId)
        {
            return;
        }

        using var f = new CoreFixture();
        f.Users.Set(a.Material);
        // B has the same stamp, password hash and extra inputs as A: only the id differs.
        f.Users.Set(new UserKeyInputs(b.Material.UserId, a.Material.SecurityStamp, a.Material.PasswordHash, a.Material.ExtraInputs));
        var tokenA = f.Issuer.Issue(a.Material).Token;
        var tokenB = f.Issuer.Issue(new UserKeyInputs(b.Material.UserId, a.Material.SecurityStamp, a.Material.PasswordHash, a.Material.ExtraInputs)).Token;

        var asIssued = await f.Handler.ValidateAsync(tokenA);
        Assert.True(asIssued.IsValid);
        Assert.Equal(a.Material.UserId, asIssued.UserId);

        var calls = f.Source.Calls;
        var subSwapped = Tokens.WithPayloadClaim(tokenA, "sub", b.Material.UserId);
        var grafted = Tokens.Graft(header: tokenB, payload: tokenA, signature: tokenB);
        Assert.Equal(TokenFailureReason.InvalidKidTag, (await f.Handler.ValidateAsync(subSwapped)).FailureReason);
        Assert.Equal(TokenFailureReason.InvalidKidTag, (await f.Handler.ValidateAsync(grafted)).FailureReason);
        Assert.Equal(calls, f.Source.Calls);
    }

    [Property(Arbitrary = [typeof(Arbitraries)], MaxTest = 500)]
    public async Task Token_AnySingleCharacterChanged_Fails(UserCase user, Mutation mutation)
    {
        using var f = new CoreFixture();
        f.Users.Set(user.Material);
        var token = f.Issuer.Issue(user.Material).Token;
        var index = mutation.Index(token.Length);
        if (token[index] == mutation.Replacement)
        {
            return;
        }

        var mutated = string.Concat(token.AsSpan(0, index), new string(mutation.Replacement, 1), token.AsSpan(index + 1));

        var result = await f.Handler.ValidateAsync(mutated);

        Assert.False(result.IsValid, $"changed index {index} of {token.Length} to '{mutation.Replacement}'");
    }

    [Property(Arbitrary = [typeof(Arbitraries)], MaxTest = 300)]
    public async Task Token_SubjectWhoseTagDoesNotVerify_CausesNoLookup(UserCase user, string subject, byte[] tagSeed)
    {
        using var f = new CoreFixture();
        f.Users.Set(user.Material);
        var genuine = new JsonWebToken(f.Issuer.Issue(user.Material).Token);
        var parts = genuine.Kid.Split('.');
        var forgedTag = Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(tagSeed))[..22].Replace('+', '-').Replace('/', '_');
        var kids = new[]
        {
            $"{parts[0]}.{parts[1]}.{forgedTag}", // a random tag
            genuine.Kid,                            // the genuine tag, over another subject
        };

        foreach (var kid in kids)
        {
            var forged = Tokens.Sign(
                new Dictionary<string, object> { ["alg"] = "HS256", ["kid"] = kid, ["typ"] = "at+jwt" },
                Tokens.Payload(f, string.IsNullOrEmpty(subject) || subject == user.Material.UserId ? subject + "x" : subject),
                System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

            var result = await f.Handler.ValidateAsync(forged);

            Assert.Contains(result.FailureReason, new TokenFailureReason?[] { TokenFailureReason.InvalidKidTag, TokenFailureReason.Malformed });
        }

        Assert.Equal(0, f.Source.Calls);
    }

    private static bool SameKeyInputs(UserKeyInputs a, UserKeyInputs b) =>
        a.UserId == b.UserId && (a.SecurityStamp ?? "") == (b.SecurityStamp ?? "") && (a.PasswordHash ?? "") == (b.PasswordHash ?? "")
        && a.ExtraInputs.Count == b.ExtraInputs.Count
        && a.ExtraInputs.All(p => b.ExtraInputs.TryGetValue(p.Key, out var v) && (v ?? "") == (p.Value ?? ""));

    public sealed record UserCase(UserKeyInputs Material)
    {
        public override string ToString() =>
            $"UserCase(id={Material.UserId}, stamp={Material.SecurityStamp}, hash={Material.PasswordHash}, extra=[{string.Join(",", Material.ExtraInputs.Select(p => $"{p.Key}={p.Value}"))}])";
    }

    public sealed record Change(ChangeKind Kind, string Value);

    /// <summary>One character replaced; half of the cases hit the last four characters, where encodings carry spare bits.</summary>
    public sealed record Mutation(bool NearEnd, int Offset, char Replacement)
    {
        public int Index(int length) => NearEnd ? length - 1 - (Offset % 4) : Offset % length;
    }

    public static class Arbitraries
    {
        private static readonly Gen<string> Text =
            Gen.Elements("a", "b", "Z", "0", "-", "é", "ß", "ユ", "😀", " ", "stamp", "AQAAAAIAAYag").ArrayOf().Select(parts => string.Concat(parts.Take(20)));

        private static readonly Gen<string> NonEmptyText = Text.Where(s => s.Length > 0);

        public static Arbitrary<UserCase> Users() =>
            (from id in NonEmptyText
             from stamp in Gen.OneOf(Text, Gen.Constant<string>(null!))
             from hash in Gen.OneOf(Text, Gen.Constant<string>(null!))
             from extraNames in Gen.Elements("tenant", "status", "Role", "é").ArrayOf()
             from extraValue in Text
             select new UserCase(new UserKeyInputs(
                 id,
                 stamp,
                 hash,
                 extraNames.Distinct().ToDictionary(n => n, string? (n) => extraValue + n, StringComparer.Ordinal)))).ToArbitrary();

        public static Arbitrary<Change> Changes() =>
            (from kind in Gen.Elements(Enum.GetValues<ChangeKind>())
             from value in Text
             select new Change(kind, value)).ToArbitrary();

        public static Arbitrary<Mutation> Mutations() =>
            (from nearEnd in Gen.Elements(true, false)
             from offset in Gen.Choose(0, int.MaxValue - 1)
             from replacement in Gen.Frequency(
                 (4, Gen.Elements("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".ToCharArray())),
                 (1, Gen.Elements('.', '=', '+', '/', ' ', '\0', 'é', '\uFFFF')))
             select new Mutation(nearEnd, offset, replacement)).ToArbitrary();

        public static Arbitrary<Change[]> ChangeLists() =>
            Changes().Generator.ArrayOf().Select(a => a.Take(8).ToArray()).ToArbitrary();
    }

    /// <summary>The mutable world a token lives in: the user's stored material and the ring.</summary>
    private sealed class World(CoreFixture f, RingControl ring, UserKeyInputs material)
    {
        private int _secrets;

        public UserKeyInputs Material { get; private set; } = Store(f, material);

        public void Apply(Change change)
        {
            var m = Material;
            switch (change.Kind)
            {
                case ChangeKind.PasswordHash:
                    Update(new UserKeyInputs(m.UserId, m.SecurityStamp, m.PasswordHash + "|" + change.Value + "p", m.ExtraInputs));
                    break;
                case ChangeKind.SecurityStamp:
                    Update(new UserKeyInputs(m.UserId, Guid.NewGuid().ToString("N"), m.PasswordHash, m.ExtraInputs));
                    break;
                case ChangeKind.UserId:
                    f.Users.Remove(m.UserId);
                    f.Cache.Invalidate(m.UserId);
                    Update(new UserKeyInputs(m.UserId + "~" + change.Value, m.SecurityStamp, m.PasswordHash, m.ExtraInputs));
                    break;
                case ChangeKind.SetExtraInput:
                    var set = new Dictionary<string, string?>(m.ExtraInputs, StringComparer.Ordinal) { ["k" + change.Value.Length % 3] = change.Value + "!" };
                    Update(new UserKeyInputs(m.UserId, m.SecurityStamp, m.PasswordHash, set));
                    break;
                case ChangeKind.RemoveExtraInput:
                    var removed = new Dictionary<string, string?>(m.ExtraInputs, StringComparer.Ordinal);
                    if (removed.Count > 0)
                    {
                        removed.Remove(removed.Keys.First());
                    }

                    Update(new UserKeyInputs(m.UserId, m.SecurityStamp, m.PasswordHash, removed));
                    break;
                case ChangeKind.RotateInNewActiveSecret:
                    AddActiveSecret();
                    break;
                case ChangeKind.RemoveIssuingSecret:
                    if (ring.Secrets.Count == 1)
                    {
                        AddActiveSecret();
                    }

                    Remove("s0");
                    break;
                case ChangeKind.RemoveOtherSecret:
                    var other = ring.Secrets.FindIndex(s => s.Id != "s0");
                    if (other >= 0 && ring.Secrets.Count > 1)
                    {
                        Remove(ring.Secrets[other].Id);
                    }

                    break;
                case ChangeKind.Unrelated:
                    // A display-name change: the store is written again with the same key inputs.
                    Update(new UserKeyInputs(m.UserId, m.SecurityStamp, m.PasswordHash, m.ExtraInputs));
                    break;
            }
        }

        private static UserKeyInputs Store(CoreFixture f, UserKeyInputs material)
        {
            f.Users.Set(material);
            f.Cache.Invalidate(material.UserId);
            return material;
        }

        private void Update(UserKeyInputs material) => Material = Store(f, material);

        private void AddActiveSecret()
        {
            var id = "n" + ++_secrets;
            ring.Secrets.Add((id, CoreFixture.NewSecret()));
            ring.Active = id;
            ring.Reload();
        }

        private void Remove(string id)
        {
            ring.Secrets.RemoveAll(s => s.Id == id);
            if (ring.Active == id)
            {
                ring.Active = ring.Secrets[^1].Id;
            }

            ring.Reload();
        }
    }
}
