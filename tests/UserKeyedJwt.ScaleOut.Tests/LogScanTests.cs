using System.Buffers.Text;
using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;
using UserKeyedJwt.ScaleOut.Tests.Support;
using UserKeyedJwt.Tests.Shared;

namespace UserKeyedJwt.ScaleOut.Tests;

/// <summary>The nodes' log scan can fail: each kind of secret it knows of, planted in a line, is reported without its value.</summary>
public sealed class LogScanTests
{
    [Fact]
    public void FindLeaks_EachKindOfSecretPlanted_IsReported_NeverEchoed()
    {
        var serverSecret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var material = new UserKeyInputs("user-1", "STAMP-0123456789ABCDEF", "AQAAAAIAAYagAAAAEHashHashHash");
        var key = SpecKeyDerivation.DeriveKey(Convert.FromBase64String(serverSecret), material, TokenPurpose.Access);
        var token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ";
        var secrets = LogScan.Secrets(serverSecret, ["correct horse battery"], [token], [material]).ToList();
        string[] planted =
        [
            "secret " + serverSecret,
            "password correct horse battery",
            "signature c2lnbmF0dXJlLXNpZ25hdHVyZQ",
            "stamp STAMP-0123456789ABCDEF",
            "hash AQAAAAIAAYagAAAAEHashHashHash",
            "key " + Convert.ToHexString(key),
            "key " + Base64Url.EncodeToString(key),
            "thumbprint " + Base64Url.EncodeToString(new SymmetricSecurityKey(key).ComputeJwkThumbprint()),
        ];

        foreach (var line in planted)
        {
            var leaks = LogScan.FindLeaks("node-1", ["clean line", line], secrets);
            var leak = Assert.Single(leaks);
            Assert.Contains("line 2", leak, StringComparison.Ordinal);
            Assert.DoesNotContain(line.Split(' ', 2)[1], leak, StringComparison.Ordinal);
        }

        Assert.Empty(LogScan.FindLeaks("node-1", ["clean line", "user user-1 validated"], secrets));
    }
}
