using System.Text.Encodings.Web;
using System.Text.Json;
using UserKeyedJwt.Tool.Explaining;

namespace UserKeyedJwt.Tool.Inspecting;

/// <summary>Prints what a token says about itself. Verifies nothing: that is <c>explain</c>'s job.</summary>
internal static class Inspector
{
    // Printed for a person, never embedded in HTML: "at+jwt" reads better than "at\u002Bjwt".
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly string[] TimeClaims = ["iat", "nbf", "exp", "auth_time"];

    public static int Run(string token, bool json, TextWriter output, TextWriter error, TimeProvider time)
    {
        if (!DecodedToken.TryDecode(token, out var decoded, out var problem))
        {
            if (json)
            {
                WriteJson(output, writer =>
                {
                    writer.WriteString("result", "malformed");
                    writer.WriteString("problem", problem);
                });
            }

            error.WriteLine($"malformed: {problem}.");
            return ExitCodes.Rejected;
        }

        var t = decoded!;
        var now = time.GetUtcNow();
        if (json)
        {
            WriteJson(output, writer =>
            {
                writer.WriteString("result", "decoded");
                writer.WritePropertyName("header");
                t.Header.WriteTo(writer);
                writer.WritePropertyName("claims");
                t.Payload.WriteTo(writer);
                if (t.Kid is { } kid)
                {
                    writer.WriteStartObject("kid");
                    writer.WriteString("secretId", kid.SecretId);
                    writer.WriteString("fingerprint", kid.Fingerprint);
                    writer.WriteString("tag", kid.Tag);
                    writer.WriteString("problem", kid.Problem);
                    writer.WriteEndObject();
                }

                writer.WriteString("purpose", t.Purpose is { } p ? Explainer.Name(p) : null);
                writer.WriteNumber("signatureLength", t.SignatureLength);
            });
            return ExitCodes.Ok;
        }

        output.WriteLine("header");
        output.WriteLine(Indent(JsonSerializer.Serialize(t.Header, Indented)));
        output.WriteLine("claims");
        output.WriteLine(Indent(JsonSerializer.Serialize(t.Payload, Indented)));
        foreach (var claim in TimeClaims)
        {
            if (t.Time(claim) is { } at)
            {
                output.WriteLine($"  {claim,-10} {Explainer.Format(at)} ({Explainer.Relative(at, now)})");
            }
        }

        output.WriteLine("kid");
        if (t.Kid is not { } parts)
        {
            output.WriteLine("  (none: not a UserKeyedJwt token)");
        }
        else if (parts.Problem is { } kidProblem)
        {
            output.WriteLine($"  not a UserKeyedJwt kid: {kidProblem}");
        }
        else
        {
            output.WriteLine($"  secret id    {parts.SecretId}   the server secret it was issued under");
            output.WriteLine($"  fingerprint  {parts.Fingerprint}   names the signing key; another once the user's key inputs or the session change");
            output.WriteLine($"  tag          {parts.Tag}   the server's MAC over purpose, sub, fingerprint and secret id");
        }

        output.WriteLine($"purpose    {(t.Purpose is { } purpose ? $"{Explainer.Name(purpose)} (typ {t.Type})" : $"unknown (typ {t.Type ?? "missing"})")}");
        output.WriteLine($"session    {t.SessionId ?? "none"}");
        output.WriteLine($"signature  {t.SignatureLength} characters, not shown");
        output.WriteLine("Nothing is verified here; `ukjwt explain` checks the token against the app's settings and database.");
        return ExitCodes.Ok;
    }

    public static void WriteJson(TextWriter output, Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        output.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }

    private static string Indent(string text) => "  " + text.ReplaceLineEndings("\n  ");
}
