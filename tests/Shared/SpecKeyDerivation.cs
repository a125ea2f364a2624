using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace UserKeyedJwt.Tests.Shared;

/// <summary>
/// The user key and the session key as docs/key-derivation.md defines them, written from the document and not from the
/// library, so that tests that forge tokens or scan logs for keys do not lean on the code they test. Linked into the test
/// projects that need it.
/// </summary>
internal static class SpecKeyDerivation
{
    /// <summary>The user key: HKDF-Expand(HKDF-Extract(empty, serverSecret), info of purpose and key inputs, 32).</summary>
    public static byte[] DeriveKey(byte[] serverSecret, UserKeyInputs inputs, TokenPurpose purpose)
    {
        var info = new List<byte>();
        Add(info, "UserKeyedJwt/v1/" + (purpose == TokenPurpose.Refresh ? "refresh" : "access"));
        Add(info, inputs.UserId);
        Add(info, inputs.SecurityStamp);
        Add(info, inputs.PasswordHash);
        foreach (var name in inputs.ExtraInputs.Keys.Order(StringComparer.Ordinal))
        {
            Add(info, name);
            Add(info, inputs.ExtraInputs[name]);
        }

        return HKDF.DeriveKey(HashAlgorithmName.SHA256, serverSecret, 32, salt: [], info: [.. info]);
    }

    /// <summary>
    /// The key a session's tokens of <paramref name="purpose"/> are signed under: the session key of that purpose's user key.
    /// </summary>
    public static byte[] DeriveSessionKey(byte[] serverSecret, UserKeyInputs inputs, TokenPurpose purpose, string sessionId, string sessionSecret) =>
        SessionKey(DeriveKey(serverSecret, inputs, purpose), sessionId, sessionSecret);

    /// <summary>
    /// sessionKey = HKDF-Expand(userKey, enc("UserKeyedJwt/v1/session") || enc(sessionId) || enc(sessionSecret), 32): the user
    /// key is the PRK (no extract step), and the session secret enters as its text, UTF-8 encoded, not as the bytes it encodes.
    /// </summary>
    public static byte[] SessionKey(byte[] userKey, string sessionId, string sessionSecret)
    {
        var info = new List<byte>();
        Add(info, "UserKeyedJwt/v1/session");
        Add(info, sessionId);
        Add(info, sessionSecret);
        return HKDF.Expand(HashAlgorithmName.SHA256, userKey, 32, [.. info]);
    }

    private static void Add(List<byte> info, string? value)
    {
        var utf8 = Encoding.UTF8.GetBytes(value ?? string.Empty);
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, utf8.Length);
        info.AddRange(length);
        info.AddRange(utf8);
    }
}
