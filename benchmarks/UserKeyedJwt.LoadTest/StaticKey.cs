using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using UserKeyedJwt.AspNetCore;

namespace UserKeyedJwt.LoadTest;

/// <summary>
/// One random HMAC key, shared by the plain JwtBearer schemes (static key, database read, Redis denylist), with the issuer
/// and audience of the user-keyed scheme.
/// </summary>
internal sealed class StaticKey
{
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

    /// <summary>A JwtBearer scheme under the static key; <paramref name="events"/> adds the strategy's own check, if any.</summary>
    public static void AddScheme(IServiceCollection services, string scheme, Func<JwtBearerEvents>? events = null)
    {
        services.TryAddSingleton<StaticKey>();
        services.AddAuthentication().AddJwtBearer(scheme, _ => { });
        services.AddOptions<JwtBearerOptions>(scheme).Configure<StaticKey, IOptions<UserKeyedJwtOptions>>((options, key, core) =>
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
            if (events is not null)
            {
                options.Events = events();
            }
        });
    }

    /// <summary>The payload of <paramref name="userKeyedToken"/> plus <paramref name="extraClaims"/>, signed under the static key.</summary>
    public string Sign(string userKeyedToken, params (string Type, string Value)[] extraClaims)
    {
        var payload = Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(new JsonWebToken(userKeyedToken).EncodedPayload));
        if (extraClaims.Length > 0)
        {
            var json = JsonNode.Parse(payload)!.AsObject();
            foreach (var (type, value) in extraClaims)
            {
                json[type] = value;
            }

            payload = json.ToJsonString();
        }

        return Writer.CreateToken(payload, _credentials, Header);
    }
}
