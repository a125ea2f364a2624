using System.Net;
using UserKeyedJwt.AspNetCore.Tests.Support;

namespace UserKeyedJwt.AspNetCore.Tests.Sample;

/// <summary>The sample maps the library's health checks at /health, as docs/observability.md shows.</summary>
public sealed class HealthTests(SampleApp app) : IClassFixture<SampleApp>
{
    [Fact]
    public async Task Health_OneNodeOnSqlite_IsHealthyWithoutAToken()
    {
        using var api = app.Api();
        using var response = await api.SendAsync(HttpMethod.Get, "/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }
}
