using System.Collections.Concurrent;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;

namespace UserKeyedJwt.AspNetCore.Tests.IdentityApi.Support;

/// <summary>An <see cref="IEmailSender{TUser}"/> that keeps every message, with its link or code as the endpoint passed it.</summary>
public sealed partial class RecordingEmailSender : IEmailSender<IdentityUser>
{
    private readonly ConcurrentQueue<SentEmail> _sent = new();

    public IReadOnlyList<SentEmail> Sent => [.. _sent];

    public Task SendConfirmationLinkAsync(IdentityUser user, string email, string confirmationLink) => Record(EmailKind.ConfirmationLink, email, confirmationLink);

    public Task SendPasswordResetLinkAsync(IdentityUser user, string email, string resetLink) => Record(EmailKind.PasswordResetLink, email, resetLink);

    public Task SendPasswordResetCodeAsync(IdentityUser user, string email, string resetCode) => Record(EmailKind.PasswordResetCode, email, resetCode);

    /// <summary>The confirmation link of <paramref name="email"/>, HTML-decoded as a mail client would.</summary>
    public static string Link(SentEmail email)
    {
        Assert.Equal(EmailKind.ConfirmationLink, email.Kind);
        return WebUtility.HtmlDecode(email.Value);
    }

    public static string ResetCode(SentEmail email)
    {
        Assert.Equal(EmailKind.PasswordResetCode, email.Kind);
        return WebUtility.HtmlDecode(email.Value);
    }

    /// <summary>The code in a confirmation link, for the log scan.</summary>
    public static string CodeOf(string link) => Code().Match(link) is { Success: true } match ? Uri.UnescapeDataString(match.Groups[1].Value) : string.Empty;

    private Task Record(EmailKind kind, string email, string value)
    {
        _sent.Enqueue(new SentEmail(kind, email, value));
        return Task.CompletedTask;
    }

    [GeneratedRegex("[?&]code=([^&]+)")]
    private static partial Regex Code();
}

public enum EmailKind
{
    ConfirmationLink,
    PasswordResetLink,
    PasswordResetCode,
}

public sealed record SentEmail(EmailKind Kind, string Address, string Value);
