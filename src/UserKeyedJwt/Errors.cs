namespace UserKeyedJwt;

/// <summary>The one place that builds the exceptions thrown for misuse and misconfiguration.</summary>
internal static class Errors
{
    public static InvalidOperationException InvalidOptions(string setting) =>
        new($"The setting {setting} is not valid. Options are validated at startup; check the configuration.");

    public static ArgumentException ReservedClaim(string claimType, string paramName) =>
        new($"The claim '{claimType}' is set by UserKeyedJwt and cannot be supplied by the caller.", paramName);

    public static ArgumentOutOfRangeException LifetimeOutOfRange(TimeSpan lifetime, TimeSpan max, string paramName) =>
        new(paramName, lifetime, $"The lifetime must be above zero and at most {max}.");

    public static InvalidOperationException NoKeyInputsSource() =>
        new("No IUserKeyInputsSource is registered, so UserKeyedJwt cannot read users' key inputs. With ASP.NET Core Identity, call "
            + "AddUserKeyedJwt() on the Identity builder (AddIdentityCore<TUser>().AddUserKeyedJwt(), package UserKeyedJwt.AspNetCore) or use "
            + "AddUserKeyedIdentityApiEndpoints<TUser>(); otherwise register your own, for example services.AddSingleton<IUserKeyInputsSource, MySource>().");

    public static NotSupportedException KeyMaterialNotSerializable(Type type) =>
        new($"{type.Name} carries key material (a secret, a password hash or a stamp) and is never serialised to JSON: answer with what the client needs, such as the SessionTokens of a sign-in.");

    public static NotSupportedException NotDeserializable(Type type) =>
        new($"{type.Name} is written as a token endpoint's answer and is never read from JSON: only the library issues one.");
}
