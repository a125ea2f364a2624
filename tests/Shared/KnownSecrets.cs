using System.Buffers.Text;
using Microsoft.IdentityModel.Tokens;

namespace UserKeyedJwt.Tests.Shared;

/// <summary>
/// Every value a log scan must not find, given what a test knows: each token and its signature, each server secret, each
/// user's password hash and security stamp, each session's secret, and each derived key, user or session (base64,
/// base64url, hex), with its JWK thumbprint. Linked
/// into the ASP.NET Core and scale-out test projects, whose log scans differ only in where the logs come from.
/// </summary>
internal static class KnownSecrets
{
    private const int MinimumLength = 12;

    public static IEnumerable<string> Of(IEnumerable<string> serverSecrets, IEnumerable<string> tokens, IEnumerable<UserKeyInputs> materials, IEnumerable<UserKeyedSession>? sessions = null)
    {
        var secrets = serverSecrets.ToList();
        var sessionsOf = (sessions ?? []).DistinctBy(s => s.Id).ToLookup(s => s.UserId, StringComparer.Ordinal);
        foreach (var session in sessionsOf.SelectMany(s => s))
        {
            yield return session.Secret;
        }

        foreach (var token in tokens)
        {
            yield return token;

            // A token's signature alone is as good as a leak of the token for an offline attack on it.
            if (token.Split('.') is [_, _, var signature] && signature.Length >= MinimumLength)
            {
                yield return signature;
            }
        }

        foreach (var secret in secrets)
        {
            yield return secret;
            foreach (var material in materials)
            {
                if (material.PasswordHash is { } hash)
                {
                    yield return hash;
                }

                if (material.SecurityStamp is { } stamp)
                {
                    yield return stamp;
                }

                foreach (var purpose in new[] { TokenPurpose.Access, TokenPurpose.Refresh })
                {
                    byte[] key;
                    try
                    {
                        key = SpecKeyDerivation.DeriveKey(Convert.FromBase64String(secret), material, purpose);
                    }
                    catch (FormatException)
                    {
                        continue;
                    }

                    foreach (var form in Forms(key))
                    {
                        yield return form;
                    }

                    foreach (var session in sessionsOf[material.UserId])
                    {
                        foreach (var form in Forms(SpecKeyDerivation.SessionKey(key, session.Id, session.Secret)))
                        {
                            yield return form;
                        }
                    }
                }
            }
        }
    }

    private static IEnumerable<string> Forms(byte[] key) =>
    [
        Convert.ToBase64String(key),
        Base64Url.EncodeToString(key),
        Convert.ToHexString(key),
        Base64Url.EncodeToString(new SymmetricSecurityKey(key).ComputeJwkThumbprint()),
    ];
}
