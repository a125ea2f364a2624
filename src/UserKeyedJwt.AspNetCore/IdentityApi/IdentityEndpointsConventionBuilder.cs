using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;

namespace UserKeyedJwt.AspNetCore.IdentityApi;

// MapIdentityApi hides its route group behind the interface too, so callers cannot come to depend on the group itself.
internal sealed class IdentityEndpointsConventionBuilder(RouteGroupBuilder inner) : IEndpointConventionBuilder
{
    private IEndpointConventionBuilder Inner => inner;

    public void Add(Action<EndpointBuilder> convention) => Inner.Add(convention);

    public void Finally(Action<EndpointBuilder> finallyConvention) => Inner.Finally(finallyConvention);
}
