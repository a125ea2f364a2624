using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace UserKeyedJwt.AspNetCore.Tests.Support;

/// <summary>Client-side: remembers every bearer token a test sends and every token a response hands out, for the log scan.</summary>
public sealed partial class TokenRecordingHandler(ConcurrentQueue<string> tokens) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Headers.Authorization?.Parameter is { Length: >= 16 } sent)
        {
            tokens.Enqueue(sent);
        }
        else if (request.Headers.TryGetValues("Authorization", out var raw))
        {
            foreach (var value in raw.Where(v => v.Length >= 23))
            {
                tokens.Enqueue(value.StartsWith("Bearer ", StringComparison.Ordinal) ? value[7..] : value);
            }
        }

        var response = await base.SendAsync(request, cancellationToken);
        if (response.Content is { } content && content.Headers.ContentType?.MediaType?.Contains("json", StringComparison.Ordinal) == true)
        {
            await content.LoadIntoBufferAsync(cancellationToken);
            foreach (Match match in Jwt().Matches(await content.ReadAsStringAsync(cancellationToken)))
            {
                tokens.Enqueue(match.Value);
            }
        }

        return response;
    }

    // A JWS header is base64url JSON, so it starts with "eyJ"; dotted type names in a developer error page do not.
    [GeneratedRegex(@"eyJ[A-Za-z0-9_-]{7,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}")]
    private static partial Regex Jwt();
}
