using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace UserKeyedJwt.AspNetCore.Internal;

/// <summary>
/// Refuses, at startup, JwtBearer settings of a UserKeyedJwt scheme that would bypass or weaken user-keyed validation,
/// reporting every problem at once and naming each setting.
/// </summary>
internal sealed class JwtBearerOptionsValidator(UserKeyedJwtBearerRegistry registry, UserKeyedTokenHandler handler, PrefetchingSigningKeyResolver resolver)
    : IValidateOptions<JwtBearerOptions>
{
    public ValidateOptionsResult Validate(string? name, JwtBearerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!registry.IsUserKeyedScheme(name))
        {
            return ValidateOptionsResult.Skip;
        }

        var setting = $"JwtBearerOptions of scheme '{name}'";
        var failures = new List<string>();
        if (options.TokenHandlers.Count != 1 || !ReferenceEquals(options.TokenHandlers[0], handler))
        {
            failures.Add($"{setting}: TokenHandlers must hold only the UserKeyedTokenHandler from dependency injection; it was changed after AddUserKeyedJwtBearer.");
        }

        if (!string.IsNullOrEmpty(options.Authority) || !string.IsNullOrEmpty(options.MetadataAddress) || options.Configuration is not null || options.ConfigurationManager is not null)
        {
            failures.Add($"{setting}: Authority, MetadataAddress, Configuration and ConfigurationManager must not be set (Authentication:Schemes:{name}:Authority); UserKeyedJwt tokens are signed with per-user keys, not an issuer's published keys.");
        }

        if (options.IncludeErrorDetails)
        {
            failures.Add($"{setting}: IncludeErrorDetails must stay false; the rejection reason goes to logs and metrics, and in the Development environment the challenge's error_description carries it already.");
        }

        var parameters = options.TokenValidationParameters;
        IssuerSigningKeyResolver ours = resolver.Resolve;
        if (parameters is null
            || !ours.Equals(parameters.IssuerSigningKeyResolver)
            || parameters.IssuerSigningKey is not null
            || parameters.IssuerSigningKeys?.Any() == true
            || parameters.SignatureValidator is not null
            || !parameters.RequireSignedTokens
            || !parameters.ValidateLifetime
            || !parameters.ValidateIssuer
            || !parameters.ValidateAudience
            || parameters.ValidAlgorithms is null
            || !parameters.ValidAlgorithms.SequenceEqual([SecurityAlgorithms.HmacSha256]))
        {
            failures.Add($"{setting}: TokenValidationParameters were replaced after AddUserKeyedJwtBearer; only NameClaimType, RoleClaimType, their retrievers, AuthenticationType and SaveSigninToken may be changed.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
