using Microsoft.AspNetCore.Identity;
using UserKeyedJwt.AspNetCore;
using UserKeyedJwt.Sample.Data;
using UserKeyedJwt.Sample.Hosting;

namespace UserKeyedJwt.Sample.Endpoints;

internal static class AuthEndpoints
{
    public static void MapAuthEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/auth/register", RegisterAsync).AllowAnonymous();
        app.MapPost("/auth/login", LoginAsync).AllowAnonymous();

        // POST /auth/refresh, /auth/logout, /auth/logout-all and /auth/logout-others come from the library.
        app.MapUserKeyedJwtSessionEndpoints<SampleUser>("/auth");
    }

    private static async Task<IResult> RegisterAsync(CredentialsRequest request, UserManager<SampleUser> users)
    {
        if (string.IsNullOrWhiteSpace(request.Email))
        {
            return Problems.Required("email");
        }

        if (string.IsNullOrEmpty(request.Password))
        {
            return Problems.Required("password");
        }

        var email = request.Email.Trim();
        var user = new SampleUser { UserName = email, Email = email };
        var result = await users.CreateAsync(user, request.Password);
        return result.Succeeded ? TypedResults.Ok(new RegisterResponse(user.Id)) : Problems.From(result);
    }

    private static async Task<IResult> LoginAsync(
        CredentialsRequest request,
        UserManager<SampleUser> users,
        IUserSessionService<SampleUser> sessions,
        UnknownUserPasswordHash unknownUser,
        HttpRequest http,
        CancellationToken cancellationToken)
    {
        var device = http.Headers.UserAgent.ToString();
        if (string.IsNullOrWhiteSpace(request.Email))
        {
            return Problems.Required("email");
        }

        if (string.IsNullOrEmpty(request.Password))
        {
            return Problems.Required("password");
        }

        var user = await users.FindByEmailAsync(request.Email.Trim());
        if (user is null)
        {
            unknownUser.Verify(request.Password);
            return InvalidCredentials();
        }

        if (await users.IsLockedOutAsync(user))
        {
            return InvalidCredentials();
        }

        if (!await users.CheckPasswordAsync(user, request.Password))
        {
            await users.AccessFailedAsync(user);
            return InvalidCredentials();
        }

        await users.ResetAccessFailedCountAsync(user);
        var tokens = await sessions.SignInAsync(user, device, cancellationToken);
        return TypedResults.Ok(new LoginResponse(
            tokens.AccessToken.Token,
            (long)tokens.AccessToken.Lifetime.TotalSeconds,
            "Bearer",
            tokens.RefreshToken.Token,
            (long)tokens.RefreshToken.Lifetime.TotalSeconds));
    }

    private static IResult InvalidCredentials() =>
        TypedResults.Problem(title: "Invalid email or password.", statusCode: StatusCodes.Status401Unauthorized);
}
