using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace UserKeyedJwt.Internal;

/// <summary>
/// The issuing side's memory of recently used signing keys: a small direct-mapped table (slot by user id and purpose) of
/// keys with their kid and <see cref="SigningCredentials"/>, so that issuing again for a user whose key inputs did not change
/// skips the fingerprint and tag MACs and the kid string, and signs with the same key object (which lets a thread reuse
/// its keyed HMAC).
/// </summary>
/// <remarks>
/// Currency is never assumed: every issue derives the key from the material it was given, and a slot is used only when
/// its key bytes equal the fresh derivation (in constant time) for the same user, purpose and server secret. A changed
/// password hash, stamp or extra input therefore derives other bytes and misses. The table is bounded
/// (<see cref="Size"/> entries) and is dropped whole when the secret ring is replaced, so it keeps no removed secret alive.
/// It holds derived keys only, as the validation cache does, never key material.
/// </remarks>
internal sealed class IssuingKeyCache
{
    public const int Size = 256; // a power of two: the slot is the hash masked

    private Table _table = new(null, new Entry?[Size]);

    /// <summary>The signing credentials for <paramref name="material"/>'s current key under <paramref name="secret"/>.</summary>
    public SigningCredentials Get(ServerSecretRing ring, ServerSecret secret, UserKeyMaterial material, TokenPurpose purpose)
    {
        var table = Volatile.Read(ref _table);
        if (!ReferenceEquals(table.Ring, ring))
        {
            table = new Table(ring, new Entry?[Size]);
            Volatile.Write(ref _table, table);
        }

        var keyBytes = new byte[UserKeyDerivation.KeySizeInBytes];
        UserKeyDerivation.Expand(secret.Prk, material, purpose, keyBytes);
        ref var slot = ref table.Slots[HashCode.Combine(StringComparer.Ordinal.GetHashCode(material.UserId), purpose) & (Size - 1)];
        var entry = Volatile.Read(ref slot);
        if (entry is not null
            && ReferenceEquals(entry.Key.Secret, secret)
            && entry.Key.Purpose == purpose
            && string.Equals(entry.Key.UserId, material.UserId, StringComparison.Ordinal)
            && CryptographicOperations.FixedTimeEquals(entry.KeyBytes, keyBytes))
        {
            CryptographicOperations.ZeroMemory(keyBytes);
            return entry.Credentials;
        }

        var copy = (byte[])keyBytes.Clone();
        var key = UserSigningKey.FromDerived(secret, material.UserId, purpose, keyBytes, forIssuing: true);
        entry = new Entry(key, copy, new SigningCredentials(key, SecurityAlgorithms.HmacSha256));
        Volatile.Write(ref slot, entry);
        return entry.Credentials;
    }

    private sealed record Table(ServerSecretRing? Ring, Entry?[] Slots);

    private sealed record Entry(UserSigningKey Key, byte[] KeyBytes, SigningCredentials Credentials);
}
