using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace UserKeyedJwt.AspNetCore.IdentityApi;

/// <summary>
/// The endpoints of one <c>MapUserKeyedIdentityApi&lt;TUser&gt;()</c> call: MapIdentityApi's routes over user-keyed
/// sessions, plus the logouts and the sessions list. One instance per call, so two mappings name their confirmEmail
/// endpoints apart. The handlers are in the other parts of this class, one file per area.
/// </summary>
internal sealed partial class IdentityApiEndpoints<TUser>(ILogger logger)
    where TUser : class, new()
{
    // The validation UserValidator applies when RequireUniqueEmail is set, applied whatever the options say, as MapIdentityApi does.
    private static readonly EmailAddressAttribute EmailAddress = new();

    private readonly UnknownUserPasswordHash<TUser> _unknownUser = new();

    // Known once the route pattern is final, at endpoint building; it includes the group prefix, so it is unique per mapping.
    private string? _confirmEmailEndpointName;

    public IEndpointConventionBuilder Map(IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup(string.Empty);

        group.MapPost("/register", RegisterAsync);
        group.MapPost("/login", LoginAsync);
        group.MapPost("/refresh", RefreshAsync);
        group.MapGet("/confirmEmail", ConfirmEmailAsync).Add(builder =>
        {
            _confirmEmailEndpointName = $"MapUserKeyedIdentityApi-{((RouteEndpointBuilder)builder).RoutePattern.RawText}";
            builder.Metadata.Add(new EndpointNameMetadata(_confirmEmailEndpointName));
        });
        group.MapPost("/resendConfirmationEmail", ResendConfirmationEmailAsync);
        group.MapPost("/forgotPassword", ForgotPasswordAsync);
        group.MapPost("/resetPassword", ResetPasswordAsync);

        group.MapPost("/logout", LogoutAsync).RequireAuthorization();
        group.MapPost("/logoutOthers", LogoutOthersAsync).RequireAuthorization();
        group.MapPost("/logoutAll", LogoutAllAsync).RequireAuthorization();

        var manage = group.MapGroup("/manage").RequireAuthorization();
        manage.MapPost("/2fa", TwoFactorAsync);
        manage.MapGet("/info", GetInfoAsync);
        manage.MapPost("/info", PostInfoAsync);
        manage.MapGet("/sessions", ListSessionsAsync);
        manage.MapDelete("/sessions/{id}", EndSessionAsync);

        return new IdentityEndpointsConventionBuilder(group);
    }

    // The bearer scheme puts the token's sub under IdentityOptions.ClaimsIdentity.UserIdClaimType, where GetUserAsync looks.
    private static Task<TUser?> FindCallerAsync(UserManager<TUser> users, ClaimsPrincipal principal) => users.GetUserAsync(principal);
}
