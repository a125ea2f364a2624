using System.Net;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using UserKeyedJwt.AspNetCore.Tests.Support;

namespace UserKeyedJwt.AspNetCore.Tests.Sample;

/// <summary>The sample's OpenAPI document describes every endpoint it maps, with the bearer scheme to call them.</summary>
public sealed class OpenApiTests(SampleApp app) : IClassFixture<SampleApp>
{
    [Fact]
    public async Task Document_ListsEveryMappedRouteAndVerb_AndDeclaresTheBearerScheme()
    {
        using var api = app.Api();
        using var response = await api.SendAsync(HttpMethod.Get, "/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var document = await Api.JsonAsync(response);

        var documented = document.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Select(operation => $"{operation.Name.ToUpperInvariant()} {path.Name}"))
            .ToHashSet(StringComparer.Ordinal);
        var mapped = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText is { } raw && !raw.StartsWith("/openapi", StringComparison.Ordinal) && !raw.StartsWith("/scalar", StringComparison.Ordinal))
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? []).Select(method => $"{method} {Normalize(e.RoutePattern.RawText!)}"))
            .ToHashSet(StringComparer.Ordinal);

        Assert.Contains("POST /identity/login", mapped);
        Assert.Contains("DELETE /identity/manage/sessions/{id}", mapped);
        Assert.Empty(mapped.Except(documented));
        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer");
        Assert.Equal("bearer", scheme.GetProperty("scheme").GetString());
    }

    // The document writes a group's pattern with a leading slash and without route constraints.
    private static string Normalize(string pattern) => "/" + pattern.TrimStart('/');
}
