namespace UserKeyedJwt.Sample.Endpoints;

// The HTTP contract's bodies. JSON names are camelCase (the web defaults): {"email","password"}, {"accessToken",...}.
internal sealed record CredentialsRequest(string? Email, string? Password);

internal sealed record RegisterResponse(string Id);

internal sealed record LoginResponse(string AccessToken, long ExpiresIn, string TokenType, string RefreshToken, long RefreshExpiresIn);

internal sealed record MeResponse(string Id, string? Email, string? DisplayName, IReadOnlyList<string> Roles);

internal sealed record ProfileRequest(string? DisplayName);

internal sealed record ChangePasswordRequest(string? CurrentPassword, string? NewPassword);

internal sealed record ChangeEmailRequest(string? NewEmail);
