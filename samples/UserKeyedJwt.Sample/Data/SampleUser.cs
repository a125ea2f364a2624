using Microsoft.AspNetCore.Identity;

namespace UserKeyedJwt.Sample.Data;

/// <summary>The sample's user: Identity's user plus a display name, which is deliberately not a key input.</summary>
internal sealed class SampleUser : IdentityUser
{
    public const int MaxDisplayNameLength = 100;

    public string? DisplayName { get; set; }
}
