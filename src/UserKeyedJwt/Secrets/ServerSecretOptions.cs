using System.Diagnostics;
using System.Text.Json.Serialization;
using UserKeyedJwt.Serialization;

namespace UserKeyedJwt;

/// <summary>One server secret in the ring.</summary>
// The debugger would otherwise show Secret in every watch of the options.
[DebuggerDisplay("ServerSecretOptions(Id = {Id})")]
[JsonConverter(typeof(KeyMaterialJsonConverter<ServerSecretOptions>))]
public sealed class ServerSecretOptions
{
    /// <summary>The secret's id, written into every token's <c>kid</c>: 1 to 32 characters from <c>[A-Za-z0-9_-]</c>. Not secret.</summary>
    /// <value>No default: required.</value>
    public string? Id { get; set; }

    /// <summary>
    /// The secret, base64-encoded: at least 32 random bytes. Generate one with
    /// <c>openssl rand -base64 32</c>, and keep it in a secret store, never in source control.
    /// </summary>
    /// <value>No default: required.</value>
    public string? Secret { get; set; }
}
