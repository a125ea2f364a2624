using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using UserKeyedJwt.Sample.Data;

namespace UserKeyedJwt.Sample.Hosting;

/// <summary>
/// Identity's mail, for development: each message is one UTF-8 JSON file <c>{"to","subject","kind","value"}</c> in the
/// folder <c>Sample:MailPickupFolder</c> (<c>mail-pickup/</c> under the content root by default), where <c>kind</c> is
/// <c>ConfirmationLink</c>, <c>PasswordResetLink</c> or <c>PasswordResetCode</c> and <c>value</c> the link or the code. A
/// person follows the email flows by opening the newest file; a real app sends mail instead.
/// </summary>
internal sealed partial class MailPickupEmailSender(IConfiguration configuration, IHostEnvironment environment, TimeProvider time, ILogger<MailPickupEmailSender> logger)
    : IEmailSender<SampleUser>
{
    public const string FolderSetting = "Sample:MailPickupFolder";

    private readonly string _folder = Path.GetFullPath(configuration[FolderSetting] is { Length: > 0 } folder ? folder : "mail-pickup", environment.ContentRootPath);

    // Identity hands over HTML-encoded values, ready for an HTML body; the JSON file holds them as a person would type them.
    public Task SendConfirmationLinkAsync(SampleUser user, string email, string confirmationLink) =>
        WriteAsync(email, "Confirm your email", "ConfirmationLink", WebUtility.HtmlDecode(confirmationLink));

    public Task SendPasswordResetLinkAsync(SampleUser user, string email, string resetLink) =>
        WriteAsync(email, "Reset your password", "PasswordResetLink", WebUtility.HtmlDecode(resetLink));

    public Task SendPasswordResetCodeAsync(SampleUser user, string email, string resetCode) =>
        WriteAsync(email, "Reset your password", "PasswordResetCode", WebUtility.HtmlDecode(resetCode));

    private async Task WriteAsync(string to, string subject, string kind, string value)
    {
        Directory.CreateDirectory(_folder);
        var name = $"{time.GetUtcNow():yyyyMMdd'T'HHmmss'.'fffffff'Z'}-{Convert.ToHexString(RandomNumberGenerator.GetBytes(4))}.json";
        var path = Path.Combine(_folder, name);

        // Written aside, then moved: a reader watching the folder never sees half a message.
        var partial = path + ".partial";
        await File.WriteAllBytesAsync(partial, JsonSerializer.SerializeToUtf8Bytes(new { to, subject, kind, value }));
        File.Move(partial, path);
        LogWritten(logger, kind, name);
    }

    // The file name and kind only: the link and the code are credentials.
    [LoggerMessage(EventId = 9010, EventName = "MailWritten", Level = LogLevel.Information, Message = "Mail ({Kind}) written to the pickup folder as {FileName}.")]
    private static partial void LogWritten(ILogger logger, string kind, string fileName);
}
