using System.Security.Cryptography;

namespace UserKeyedJwt;

/// <summary>The validated ring of server secrets: one active for signing, all accepted for validation.</summary>
internal sealed class ServerSecretRing
{
    private readonly ServerSecret[] _secrets;

    private ServerSecretRing(ServerSecret[] secrets, ServerSecret active)
    {
        _secrets = secrets;
        Active = active;
    }

    public ServerSecret Active { get; }

    public IReadOnlyList<ServerSecret> Secrets => _secrets;

    /// <summary>Builds the ring from options that passed <see cref="UserKeyedJwtOptionsValidator"/>.</summary>
    public static ServerSecretRing Create(UserKeyedJwtOptions options)
    {
        var secrets = new ServerSecret[options.ServerSecrets.Count];
        ServerSecret? active = null;
        for (var i = 0; i < secrets.Length; i++)
        {
            var configured = options.ServerSecrets[i];
            var bytes = TryDecode(configured.Secret) ?? throw Errors.InvalidOptions($"{UserKeyedJwtOptions.SectionName}:{nameof(options.ServerSecrets)}:{i}:{nameof(configured.Secret)}");
            try
            {
                secrets[i] = new ServerSecret(configured.Id!, bytes);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(bytes);
            }

            if (string.Equals(configured.Id, options.ActiveSecretId, StringComparison.Ordinal) || (options.ActiveSecretId is null && secrets.Length == 1))
            {
                active = secrets[i];
            }
        }

        return new ServerSecretRing(secrets, active ?? throw Errors.InvalidOptions($"{UserKeyedJwtOptions.SectionName}:{nameof(options.ActiveSecretId)}"));
    }

    public ServerSecret? Find(string id)
    {
        foreach (var secret in _secrets)
        {
            if (string.Equals(id, secret.Id, StringComparison.Ordinal))
            {
                return secret;
            }
        }

        return null;
    }

    internal static byte[]? TryDecode(string? base64)
    {
        if (string.IsNullOrWhiteSpace(base64))
        {
            return null;
        }

        var buffer = new byte[(base64.Length * 3 / 4) + 3];
        if (!Convert.TryFromBase64String(base64.Trim(), buffer, out var written))
        {
            return null;
        }

        var result = buffer.AsSpan(0, written).ToArray();
        CryptographicOperations.ZeroMemory(buffer);
        return result;
    }
}
