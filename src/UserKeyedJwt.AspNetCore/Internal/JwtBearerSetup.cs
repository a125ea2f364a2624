using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace UserKeyedJwt.AspNetCore.Internal;

/// <summary>
/// Configures the JwtBearer options of UserKeyedJwt schemes. <see cref="Configure(string, JwtBearerOptions)"/> runs before the
/// application's delegate and sets defaults; <see cref="PostConfigure"/> runs after it and enforces what validation relies
/// on. It resolves only singletons: the handler lives in options for the application's lifetime.
/// </summary>
internal sealed class JwtBearerSetup(
    UserKeyedJwtBearerRegistry registry,
    UserKeyedTokenHandler handler,
    PrefetchingSigningKeyResolver resolver,
    IOptionsMonitor<UserKeyedJwtBearerOptions> bearerOptions,
    IOptions<IdentityOptions> identityOptions,
    ILoggerFactory loggerFactory,
    IHostEnvironment? environment = null) : IConfigureNamedOptions<JwtBearerOptions>, IPostConfigureOptions<JwtBearerOptions>
{
    public void Configure(JwtBearerOptions options) => Configure(Options.DefaultName, options);

    public void Configure(string? name, JwtBearerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!registry.IsUserKeyedScheme(name))
        {
            return;
        }

        UseOnlyOurHandler(options);
        options.IncludeErrorDetails = false;
        options.TokenValidationParameters.NameClaimType = UserKeyedJwtDefaults.NameClaimType;
        options.TokenValidationParameters.RoleClaimType = UserKeyedJwtDefaults.RoleClaimType;
    }

    public void PostConfigure(string? name, JwtBearerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!registry.IsUserKeyedScheme(name))
        {
            return;
        }

        UseOnlyOurHandler(options);

        // JwtBearer's error details would put exception messages into the response; in Development our own challenge
        // carries a fixed description of the reason instead, and elsewhere the reason belongs in logs and metrics only.
        options.IncludeErrorDetails = false;
        options.TokenValidationParameters = Strict(options.TokenValidationParameters);

        if (options.Events is not UserKeyedJwtBearerEvents)
        {
            options.Events = new UserKeyedJwtBearerEvents(
                options.Events,
                options.EventsType,
                bearerOptions,
                identityOptions,
                describeRejections: environment?.IsDevelopment() == true,
                loggerFactory.CreateLogger("UserKeyedJwt.AspNetCore.JwtBearer"));
            options.EventsType = null;
        }
    }

    private void UseOnlyOurHandler(JwtBearerOptions options)
    {
        if (options.TokenHandlers.Count != 1 || !ReferenceEquals(options.TokenHandlers[0], handler))
        {
            options.TokenHandlers.Clear();
            options.TokenHandlers.Add(handler);
        }

        // The handler is a shared singleton and our claim names (sub, name, role) are the contract: no inbound mapping.
        // The setter also reaches the JwtSecurityTokenHandler in SecurityTokenValidators.
        options.MapInboundClaims = false;
    }

    /// <summary>
    /// The handler's strict parameters, with only the application's presentation settings carried over: security-relevant
    /// settings (keys, issuer, audience, lifetime, algorithms) are never taken from the application.
    /// </summary>
    private TokenValidationParameters Strict(TokenValidationParameters? configured)
    {
        var strict = handler.CreateValidationParameters(TokenPurpose.Access);
        if (configured is not null)
        {
            strict.NameClaimType = configured.NameClaimType;
            strict.RoleClaimType = configured.RoleClaimType;
            strict.NameClaimTypeRetriever = configured.NameClaimTypeRetriever;
            strict.RoleClaimTypeRetriever = configured.RoleClaimTypeRetriever;
            if (configured.AuthenticationType is { Length: > 0 } authenticationType)
            {
                strict.AuthenticationType = authenticationType;
            }

            strict.SaveSigninToken = configured.SaveSigninToken;
        }

        strict.IssuerSigningKeyResolver = resolver.Resolve;
        return strict;
    }
}
