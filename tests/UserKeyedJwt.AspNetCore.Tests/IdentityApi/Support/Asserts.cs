using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace UserKeyedJwt.AspNetCore.Tests.IdentityApi.Support;

/// <summary>The response shapes MapIdentityApi's own functional tests assert, so the ported scenarios assert the same contract.</summary>
public static class Asserts
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static void OkAndEmpty(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(0, response.Content.Headers.ContentLength);
    }

    public static void BadRequestAndEmpty(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(0, response.Content.Headers.ContentLength);
    }

    public static void UnauthorizedAndEmpty(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(0, response.Content.Headers.ContentLength);
    }

    public static async Task<HttpValidationProblemDetails> ProblemAsync(HttpResponseMessage response, string? detail, string? title = null, HttpStatusCode status = HttpStatusCode.Unauthorized)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.ToString());
        var problem = await response.Content.ReadFromJsonAsync<HttpValidationProblemDetails>(Ct);
        Assert.NotNull(problem);
        Assert.Equal(title ?? ReasonPhrases.GetReasonPhrase((int)status), problem.Title);
        Assert.Equal(detail, problem.Detail);
        return problem;
    }

    /// <summary>A 400 validation problem with exactly one error, under <paramref name="code"/>.</summary>
    public static async Task ValidationProblemAsync(HttpResponseMessage response, string code)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.ToString());
        var problem = await response.Content.ReadFromJsonAsync<HttpValidationProblemDetails>(Ct);
        Assert.NotNull(problem);
        Assert.Equal(code, Assert.Single(problem.Errors).Key);
    }

    public static async Task ProblemAsync(Task<HttpResponseMessage> send, string? detail)
    {
        using var response = await send;
        await ProblemAsync(response, detail);
    }

    public static async Task ValidationProblemAsync(Task<HttpResponseMessage> send, string code)
    {
        using var response = await send;
        await ValidationProblemAsync(response, code);
    }

    public static async Task OkAsync(Task<HttpResponseMessage> send)
    {
        using var response = await send;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    public static async Task UnauthorizedAndEmptyAsync(Task<HttpResponseMessage> send)
    {
        using var response = await send;
        UnauthorizedAndEmpty(response);
    }
}
