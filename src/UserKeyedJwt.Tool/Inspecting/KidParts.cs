namespace UserKeyedJwt.Tool.Inspecting;

/// <summary>
/// <c>kid = secretId "." fingerprint "." tag</c> (docs/key-derivation.md): which server secret, which key (a fingerprint, not
/// secret) and the server's MAC over purpose, subject, fingerprint and secret id.
/// </summary>
internal sealed record KidParts(string Text, string? SecretId, string? Fingerprint, string? Tag, string? Problem)
{
    public const int FingerprintLength = 11;
    public const int TagLength = 22;

    public static KidParts Parse(string kid)
    {
        var parts = kid.Split('.');
        if (parts.Length != 3)
        {
            return new KidParts(kid, null, null, null, $"a UserKeyedJwt kid has 3 parts separated by '.', this has {parts.Length}");
        }

        var (secretId, fingerprint, tag) = (parts[0], parts[1], parts[2]);
        string? problem = null;
        if (secretId.Length is 0 or > 32 || !secretId.All(IsIdCharacter))
        {
            problem = "the secret id is not 1 to 32 characters from [A-Za-z0-9_-]";
        }
        else if (fingerprint.Length != FingerprintLength || !fingerprint.All(IsIdCharacter))
        {
            problem = $"the fingerprint is not {FingerprintLength} base64url characters";
        }
        else if (tag.Length != TagLength || !tag.All(IsIdCharacter))
        {
            problem = $"the tag is not {TagLength} base64url characters";
        }

        return new KidParts(kid, secretId, fingerprint, tag, problem);
    }

    private static bool IsIdCharacter(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_';
}
