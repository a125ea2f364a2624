using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using UserKeyedJwt.AspNetCore.Tests.IdentityApi.Support;

namespace UserKeyedJwt.AspNetCore.Tests.IdentityApi;

/// <summary>The endpoints of ASP.NET Core's own MapIdentityApi against ours, compared from each app's EndpointDataSource.</summary>
public sealed class IdentityApiCompatibilityTests
{
    private static readonly string[] Added =
    [
        "POST /identity/logout",
        "POST /identity/logoutOthers",
        "POST /identity/logoutAll",
        "GET /identity/manage/sessions",
        "DELETE /identity/manage/sessions/{id}",
    ];

    [Fact]
    public async Task Routes_AreMapIdentityApisPlusExactlyTheFiveAdded()
    {
        await using var theirs = MapIdentityApi();
        await using var host = await IdentityApiHost.StartAsync();

        var expected = Routes(theirs).Keys.ToHashSet(StringComparer.Ordinal);
        var actual = Routes(host.App).Keys.ToHashSet(StringComparer.Ordinal);

        Assert.Equal(10, expected.Count);
        Assert.Superset(expected, actual);
        Assert.Equal(Added.Order(StringComparer.Ordinal), actual.Except(expected).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Routes_AcceptAndProduceTheSameTypesAsMapIdentityApi()
    {
        await using var theirs = MapIdentityApi();
        await using var host = await IdentityApiHost.StartAsync();
        var ours = Routes(host.App);

        foreach (var (route, endpoint) in Routes(theirs))
        {
            var mine = ours[route];
            Assert.True(
                Accepts(endpoint) == Accepts(mine),
                $"{route} accepts {Accepts(mine)} where MapIdentityApi accepts {Accepts(endpoint)}.");
            Assert.True(
                Ok(endpoint) == Ok(mine),
                $"{route} answers 200 with {Ok(mine)} where MapIdentityApi answers {Ok(endpoint)}.");
            Assert.Equal(endpoint.Metadata.GetMetadata<IAuthorizeData>() is not null, mine.Metadata.GetMetadata<IAuthorizeData>() is not null);
        }
    }

    private static WebApplication MapIdentityApi()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddDbContext<IdentityDbContext>(static o => o.UseSqlite("Data Source=:memory:"));
        builder.Services.AddIdentityApiEndpoints<IdentityUser>().AddEntityFrameworkStores<IdentityDbContext>();
        var app = builder.Build();
        app.MapGroup("/identity").MapIdentityApi<IdentityUser>();
        return app;
    }

    /// <summary>"METHOD /pattern" of every endpoint under /identity.</summary>
    private static Dictionary<string, RouteEndpoint> Routes(IEndpointRouteBuilder app) =>
        app.DataSources.SelectMany(static d => d.Endpoints).OfType<RouteEndpoint>()
            .Where(static e => e.RoutePattern.RawText?.StartsWith("/identity/", StringComparison.Ordinal) == true)
            .SelectMany(static e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? []).Select(m => (Key: $"{m} {e.RoutePattern.RawText}", Endpoint: e)))
            .ToDictionary(static p => p.Key, static p => p.Endpoint, StringComparer.Ordinal);

    private static string Accepts(Endpoint endpoint) =>
        endpoint.Metadata.GetMetadata<IAcceptsMetadata>() is { } accepts ? $"{accepts.RequestType?.Name} as {string.Join(",", accepts.ContentTypes)}" : "no body";

    private static string Ok(Endpoint endpoint) =>
        string.Join(",", endpoint.Metadata.OfType<IProducesResponseTypeMetadata>().Where(static m => m.StatusCode == 200).Select(static m => m.Type?.Name ?? "none").Order(StringComparer.Ordinal));
}
