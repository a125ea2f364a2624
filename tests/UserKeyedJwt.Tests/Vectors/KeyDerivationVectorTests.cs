using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using UserKeyedJwt.Tests.Support;

namespace UserKeyedJwt.Tests.Vectors;

/// <summary>
/// docs/key-derivation-vectors.json was written by docs/key-derivation-vectors.py, an independent implementation of
/// docs/key-derivation.md. The library must agree with it byte for byte.
/// </summary>
public class KeyDerivationVectorTests
{
    public static TheoryData<int> VectorIndexes()
    {
        var data = new TheoryData<int>();
        for (var i = 0; i < Load().Count; i++)
        {
            data.Add(i);
        }

        return data;
    }

    [Fact]
    public void VectorFile_HasAtLeastEightVectorsCoveringTheHardCases()
    {
        var vectors = Load();

        Assert.True(vectors.Count >= 8);
        Assert.Contains(vectors, v => v.PasswordHash is null);
        Assert.Contains(vectors, v => v.UserId.Any(c => c > 127));
        Assert.Contains(vectors, v => v.Extra.Count > 1 && !v.Extra.Keys.SequenceEqual(v.Extra.Keys.Order(StringComparer.Ordinal)));
        Assert.Contains(vectors, v => v.Purpose == TokenPurpose.Access);
        Assert.Contains(vectors, v => v.Purpose == TokenPurpose.Refresh);
    }

    [Theory]
    [MemberData(nameof(VectorIndexes))]
    public void DeriveKey_Vector_MatchesDerivedKey(int index)
    {
        var v = Load()[index];

        var key = UserKeyDerivation.DeriveKey(Convert.FromBase64String(v.ServerSecret), v.Material, v.Purpose);

        Assert.Equal(v.DerivedKey, Convert.ToHexStringLower(key));
    }

    [Theory]
    [MemberData(nameof(VectorIndexes))]
    public async Task ValidateAsync_VectorToken_IsValidForItsUser(int index)
    {
        var v = Load()[index];
        using var f = v.CreateFixture();

        var result = await f.Handler.ValidateAsync(v.Token, v.Purpose, TestContext.Current.CancellationToken);

        Assert.True(result.IsValid, result.FailureReason?.ToString());
        Assert.Equal(v.UserId, result.UserId);
    }

    [Theory]
    [MemberData(nameof(VectorIndexes))]
    public void Issue_VectorMaterial_WritesTheVectorKid(int index)
    {
        var v = Load()[index];
        using var f = v.CreateFixture();

        var issued = f.Issuer.Issue(v.Material, purpose: v.Purpose);

        Assert.Equal(v.Kid, new JsonWebToken(issued.Token).Kid);
    }

    [Theory]
    [MemberData(nameof(VectorIndexes))]
    public async Task ValidateAsync_VectorTokenAfterStampChange_IsRevoked(int index)
    {
        var v = Load()[index];
        using var f = v.CreateFixture();
        f.Users.Set(new UserKeyInputs(v.UserId, v.SecurityStamp + "-rotated", v.PasswordHash, v.Extra));
        f.Cache.Invalidate(v.UserId);

        var result = await f.Handler.ValidateAsync(v.Token, v.Purpose, TestContext.Current.CancellationToken);

        Assert.Equal(TokenFailureReason.KeyInputsChanged, result.FailureReason);
    }

    internal static IReadOnlyList<Vector> Load()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Vectors", "key-derivation-vectors.json");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return [.. document.RootElement.GetProperty("vectors").EnumerateArray().Select(Vector.From)];
    }

    internal sealed record Vector(
        string ServerSecretId, string ServerSecret, string UserId, string? SecurityStamp, string? PasswordHash,
        Dictionary<string, string?> Extra, TokenPurpose Purpose, string DerivedKey, string Kid, string Issuer, string Audience, long Iat, string Token)
    {
        public UserKeyInputs Material => new(UserId, SecurityStamp, PasswordHash, Extra);

        public static Vector From(JsonElement e) => new(
            e.GetProperty("serverSecretId").GetString()!,
            e.GetProperty("serverSecret").GetString()!,
            e.GetProperty("userId").GetString()!,
            e.GetProperty("securityStamp").GetString(),
            e.GetProperty("passwordHash").GetString(),
            e.GetProperty("extra").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString(), StringComparer.Ordinal),
            e.GetProperty("purpose").GetString() == "refresh" ? TokenPurpose.Refresh : TokenPurpose.Access,
            e.GetProperty("derivedKey").GetString()!,
            e.GetProperty("kid").GetString()!,
            e.GetProperty("issuer").GetString()!,
            e.GetProperty("audience").GetString()!,
            e.GetProperty("iat").GetInt64(),
            e.GetProperty("token").GetString()!);

        public CoreFixture CreateFixture()
        {
            var f = new CoreFixture(o =>
            {
                o.ServerSecrets.Clear();
                o.ServerSecrets.Add(new ServerSecretOptions { Id = ServerSecretId, Secret = ServerSecret });
                o.Issuer = Issuer;
                o.Audience = Audience;
            }, start: DateTimeOffset.FromUnixTimeSeconds(Iat + 60));
            f.Users.Set(Material);
            return f;
        }
    }
}
