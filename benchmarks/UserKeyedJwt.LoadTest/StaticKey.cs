using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using UserKeyedJwt.AspNetCore;

namespace UserKeyedJwt.LoadTest;

/// <summary>The baseline: plain JwtBearer under one random HMAC key, with the issuer and audience of the user-keyed scheme.</summary>
internal sealed class StaticKey
{
    public const string Scheme = "StaticKey";

    private static readonly JsonWebTokenHandler Writer = new();
    private static readonly Dictionary<string, object> Header = new(StringComparer.Ordinal) { [JwtHeaderParameterNames.Typ] = "at+jwt" };

    private readonly SigningCredentials _credentials;

    public StaticKey(IOptions<UserKeyedJwtOptions> core)
    {
        // As long as a user-keyed kid ({secretId}.{11}.{22}), so that both tokens have the same size.
        var secretId = core.Value.ActiveSecretId ?? core.Value.ServerSecrets[0].Id!;
        Key = new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(32)) { KeyId = "static" + new string('-', secretId.Length + 35 - 6) };
        _credentials = new SigningCredentials(Key, SecurityAlgorithms.HmacSha256);
    }

    public SymmetricSecurityKey Key { get; }

    public static void AddScheme(IServiceCollection services)
    {
        services.AddSingleton<StaticKey>();
        services.AddAuthentication().AddJwtBearer(Scheme, _ => { });
        services.AddOptions<JwtBearerOptions>(Scheme).Configure<StaticKey, IOptions<UserKeyedJwtOptions>>((options, key, core) =>
        {
            options.MapInboundClaims = false;
            options.TokenValidationParameters = new TokenValidationParameters
            {
                ValidIssuer = core.Value.Issuer,
                ValidAudience = core.Value.Audience,
                IssuerSigningKey = key.Key,
                ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
                ValidTypes = ["at+jwt"],
                NameClaimType = UserKeyedJwtDefaults.NameClaimType,
                RoleClaimType = UserKeyedJwtDefaults.RoleClaimType,
            };
        });
    }

    /// <summary>The same payload as <paramref name="userKeyedToken"/>, byte for byte, signed under the static key.</summary>
    public string Sign(string userKeyedToken)
    {
        var payload = Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(new JsonWebToken(userKeyedToken).EncodedPayload));
        return Writer.CreateToken(payload, _credentials, Header);
    }
}
