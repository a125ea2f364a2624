using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace UserKeyedJwt.Tests.Shared;

/// <summary>
/// The user key as docs/key-derivation.md defines it, written from the document and not from the library, so that tests that
/// forge tokens or scan logs for keys do not lean on the code they test. Linked into the test projects that need it.
/// </summary>
internal static class SpecKeyDerivation
{
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

    private static void Add(List<byte> info, string? value)
    {
        var utf8 = Encoding.UTF8.GetBytes(value ?? string.Empty);
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, utf8.Length);
        info.AddRange(length);
        info.AddRange(utf8);
    }
}
