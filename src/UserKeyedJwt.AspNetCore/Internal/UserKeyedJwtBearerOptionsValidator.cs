using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace UserKeyedJwt.AspNetCore.Internal;

/// <summary>Validates <see cref="UserKeyedJwtBearerOptions"/> at startup, naming the setting.</summary>
internal sealed class UserKeyedJwtBearerOptionsValidator : IValidateOptions<UserKeyedJwtBearerOptions>
{
    public ValidateOptionsResult Validate(string? name, UserKeyedJwtBearerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.StoreUnavailableStatusCode is StatusCodes.Status401Unauthorized or StatusCodes.Status503ServiceUnavailable
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"{UserKeyedJwtBearerOptions.SectionName}:{nameof(options.StoreUnavailableStatusCode)} is {options.StoreUnavailableStatusCode}; it must be 401 or 503.");
    }
}
