namespace UserKeyedJwt.Sample.Endpoints;

// The bodies of /me; /identity uses Identity's own (Microsoft.AspNetCore.Identity.Data). JSON names are camelCase.
internal sealed record MeResponse(string Id, string? Email, string? DisplayName, IReadOnlyList<string> Roles);

internal sealed record ProfileRequest(string? DisplayName);
