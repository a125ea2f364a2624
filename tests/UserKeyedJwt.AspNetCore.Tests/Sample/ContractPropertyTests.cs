using System.Net;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using UserKeyedJwt.AspNetCore.Tests.Support;

namespace UserKeyedJwt.AspNetCore.Tests.Sample;

/// <summary>
/// Random sequences of the contract's operations for two or three users, against the running sample. After every step each
/// token issued so far is presented to <c>GET /me</c>, and the answer must match a simple model: a token is valid until its
/// user's password or email changes, a role is actually added or removed, or an admin revokes the user; nothing else
/// (profile changes, logins, other users' changes) touches it. Valid tokens must also see the user's current email and roles.
/// </summary>
public sealed class ContractPropertyTests(SampleApp app) : IClassFixture<SampleApp>
{
    public enum OpKind
    {
        Login,
        ChangeProfile,
        ChangePassword,
        ChangeEmail,
        AddRole,
        RemoveRole,
        Revoke,
    }

    private static readonly string[] Roles = ["editor", "auditor"];

    // 20 sequences of up to 8 steps keep this test to a few seconds; FsCheck shrinks a failure by dropping steps.
    [Property(Arbitrary = [typeof(Arbitraries)], MaxTest = 20)]
    public Task Contract_RandomOperationSequences_EveryTokenIsValidExactlyWhenTheModelSaysSo(Scenario scenario) =>
        Task.Run(() => RunAsync(scenario), TestContext.Current.CancellationToken);

    private async Task RunAsync(Scenario scenario)
    {
        using var api = app.Api();
        var history = new StringBuilder();
        var admin = await api.LoginAdminAsync();
        var users = new List<ModelUser>();
        var tokens = new List<ModelToken>();
        for (var i = 0; i < scenario.UserCount; i++)
        {
            var created = await api.NewUserAsync($"prop{i}");
            var user = new ModelUser(i, created.Id) { Email = created.Email, Password = created.Password };
            users.Add(user);
            tokens.Add(new ModelToken(user, await api.LoginAsync(created.Email, created.Password)));
        }

        await CheckAllAsync(api, tokens, "start", history);
        foreach (var op in scenario.Ops)
        {
            var user = users[op.User % users.Count];
            var role = Roles[op.Role % Roles.Length];
            history.AppendLine(op.ToString());
            switch (op.Kind)
            {
                case OpKind.Login:
                    await LoginAsync(api, user, tokens);
                    break;
                case OpKind.ChangeProfile:
                    await ExpectAsync(HttpStatusCode.NoContent, api.StatusAsync(HttpMethod.Put, "/me/profile", await LoginAsync(api, user, tokens), new { displayName = $"name {Guid.NewGuid():N}" }), op);
                    break;
                case OpKind.ChangePassword:
                    var password = Api.NewPassword();
                    await ExpectAsync(HttpStatusCode.OK, api.StatusAsync(HttpMethod.Post, $"{Api.Identity}/manage/info", await LoginAsync(api, user, tokens), new { oldPassword = user.Password, newPassword = password }), op);
                    user.Password = password;
                    Revoke(tokens, user);
                    break;
                case OpKind.ChangeEmail:
                    var email = Api.NewEmail("prop");
                    await ExpectAsync(HttpStatusCode.OK, api.RequestEmailChangeAsync(await LoginAsync(api, user, tokens), email), op);
                    await ExpectAsync(HttpStatusCode.OK, api.FollowAsync(await app.ReadMailAsync(email, "ConfirmationLink")), op);
                    user.Email = email;
                    Revoke(tokens, user);
                    break;
                case OpKind.AddRole:
                    await ExpectAsync(HttpStatusCode.NoContent, api.StatusAsync(HttpMethod.Post, $"/admin/users/{user.Id}/roles/{role}", admin), op);
                    if (user.Roles.Add(role))
                    {
                        Revoke(tokens, user);
                    }

                    break;
                case OpKind.RemoveRole:
                    await ExpectAsync(HttpStatusCode.NoContent, api.StatusAsync(HttpMethod.Delete, $"/admin/users/{user.Id}/roles/{role}", admin), op);
                    if (user.Roles.Remove(role))
                    {
                        Revoke(tokens, user);
                    }

                    break;
                case OpKind.Revoke:
                    await ExpectAsync(HttpStatusCode.NoContent, api.StatusAsync(HttpMethod.Post, $"/admin/users/{user.Id}/revoke", admin), op);
                    Revoke(tokens, user);
                    break;
            }

            await CheckAllAsync(api, tokens, op.ToString(), history);
        }
    }

    private static async Task<string> LoginAsync(Api api, ModelUser user, List<ModelToken> tokens)
    {
        var token = await api.LoginAsync(user.Email, user.Password);
        tokens.Add(new ModelToken(user, token));
        return token;
    }

    private static void Revoke(List<ModelToken> tokens, ModelUser user)
    {
        foreach (var token in tokens.Where(t => t.Owner == user))
        {
            token.Valid = false;
        }
    }

    private static async Task ExpectAsync(HttpStatusCode expected, Task<HttpStatusCode> actual, Op op)
    {
        var status = await actual;
        Assert.True(expected == status, $"{op}: expected {(int)expected}, got {(int)status}");
    }

    private static async Task CheckAllAsync(Api api, List<ModelToken> tokens, string after, StringBuilder history)
    {
        for (var i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            using var response = await api.SendAsync(HttpMethod.Get, "/me", token.Value);
            var expected = token.Valid ? HttpStatusCode.OK : HttpStatusCode.Unauthorized;
            Assert.True(response.StatusCode == expected, $"after {after}: token #{i} of user {token.Owner.Index} expected {(int)expected}, got {(int)response.StatusCode}.\nSteps:\n{history}");
            if (token.Valid)
            {
                var me = await Api.JsonAsync(response);
                Assert.Equal(token.Owner.Id, me.GetProperty("id").GetString());
                Assert.Equal(token.Owner.Email, me.GetProperty("email").GetString());
                Assert.Equal(token.Owner.Roles.Order(StringComparer.Ordinal), me.GetProperty("roles").EnumerateArray().Select(r => r.GetString()!));
            }
        }
    }

    public sealed record Op(OpKind Kind, int User, int Role)
    {
        public override string ToString() => Kind switch
        {
            OpKind.AddRole or OpKind.RemoveRole => $"{Kind}(user {User}, {Roles[Role % Roles.Length]})",
            _ => $"{Kind}(user {User})",
        };
    }

    public sealed record Scenario(int UserCount, Op[] Ops)
    {
        public override string ToString() => $"{UserCount} users: {string.Join(", ", Ops.Select(o => o.ToString()))}";
    }

    public static class Arbitraries
    {
        public static Arbitrary<Scenario> Scenario()
        {
            var op = from kind in Gen.Elements(Enum.GetValues<OpKind>())
                     from user in Gen.Choose(0, 2)
                     from role in Gen.Choose(0, Roles.Length - 1)
                     select new Op(kind, user, role);
            var scenario = from userCount in Gen.Choose(2, 3)
                           from length in Gen.Choose(1, 8)
                           from ops in op.ArrayOf(length)
                           select new Scenario(userCount, [.. ops.Select(o => o with { User = o.User % userCount })]);
            return Arb.From(scenario, Shrink);
        }

        // Shorter sequences first: a failure is easiest to read with the fewest steps.
        private static IEnumerable<Scenario> Shrink(Scenario scenario)
        {
            for (var i = 0; i < scenario.Ops.Length && scenario.Ops.Length > 1; i++)
            {
                yield return scenario with { Ops = [.. scenario.Ops[..i], .. scenario.Ops[(i + 1)..]] };
            }
        }
    }

    private sealed class ModelUser(int index, string id)
    {
        public int Index { get; } = index;

        public string Id { get; } = id;

        public required string Email { get; set; }

        public required string Password { get; set; }

        public HashSet<string> Roles { get; } = new(StringComparer.Ordinal);
    }

    private sealed class ModelToken(ModelUser owner, string value)
    {
        public ModelUser Owner { get; } = owner;

        public string Value { get; } = value;

        public bool Valid { get; set; } = true;
    }
}
