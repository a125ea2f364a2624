using System.Net;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.Extensions.DependencyInjection;
using UserKeyedJwt.AspNetCore.Tests.Support;

namespace UserKeyedJwt.AspNetCore.Tests.Sessions;

/// <summary>
/// Model-based (state-machine) test of the session life cycle against the running sample. Random sequences of login,
/// refresh, reuse of a consumed refresh token (which ends its session), logout, logout-all, logout-others (which end
/// sessions and mint nothing) and password change (which kills every token of the user) run across two or three users and
/// their sessions. A small model predicts every answer, and after every step every token ever issued is
/// checked: access tokens through <c>GET /me</c>, refresh tokens through the validator (a check that does not consume them).
/// </summary>
public sealed class SessionModelPropertyTests(SampleApp app) : IClassFixture<SampleApp>
{
    public enum OpKind
    {
        Login,
        Refresh,
        ReuseOldRefresh,
        Logout,
        LogoutAll,
        LogoutOthers,
        ChangePassword,
    }

    // 15 sequences of up to 12 steps: a few seconds. FsCheck shrinks a failure by dropping steps.
    [Property(Arbitrary = [typeof(Arbitraries)], MaxTest = 15)]
    public Task Sessions_RandomOperationSequences_EveryTokenIsAcceptedExactlyWhenTheModelSaysSo(Scenario scenario) =>
        Task.Run(() => RunAsync(scenario), TestContext.Current.CancellationToken);

    private async Task RunAsync(Scenario scenario)
    {
        using var api = app.Api();
        var handler = app.Services.GetRequiredService<UserKeyedTokenHandler>();
        var history = new StringBuilder();
        var model = new Model();
        for (var i = 0; i < scenario.UserCount; i++)
        {
            var created = await api.NewUserAsync($"sess{i}");
            var user = new ModelUser(i, created.Id) { Email = created.Email, Password = created.Password };
            model.Users.Add(user);
            await LoginAsync(api, model, user);
        }

        await CheckAllAsync(api, handler, model, "start", history);
        foreach (var op in scenario.Ops)
        {
            var user = model.Users[op.User % model.Users.Count];
            var sessions = model.Sessions.Where(s => s.Owner == user).ToList();
            var session = sessions.Count == 0 ? null : sessions[op.Session % sessions.Count];
            history.AppendLine(op.ToString());
            switch (op.Kind)
            {
                case OpKind.Login:
                    await LoginAsync(api, model, user);
                    break;
                case OpKind.Refresh when session is not null:
                    {
                        var expectOk = model.Valid(session.LatestRefresh);
                        var (status, pair) = await api.RefreshAsync(session.LatestRefresh.Value);
                        Expect(expectOk ? HttpStatusCode.OK : HttpStatusCode.Unauthorized, status, op, history);
                        if (expectOk)
                        {
                            session.Consumed.Add(session.LatestRefresh);
                            model.Add(session, pair!);
                        }

                        break;
                    }

                case OpKind.ReuseOldRefresh when session is not null && session.Consumed.Count > 0:
                    {
                        var old = session.Consumed[op.Session % session.Consumed.Count];
                        var (status, _) = await api.RefreshAsync(old.Value);
                        Expect(HttpStatusCode.Unauthorized, status, op, history);
                        // Theft suspected: the session ends, the user's others stay.
                        session.Ended |= model.Valid(old);

                        break;
                    }

                case OpKind.Logout when session is not null:
                    {
                        var valid = model.Valid(session.LatestAccess);
                        Expect(valid ? HttpStatusCode.NoContent : HttpStatusCode.Unauthorized, await api.LogoutAsync(session.LatestAccess.Value), op, history);
                        session.Ended |= valid;
                        break;
                    }

                case OpKind.LogoutAll when session is not null:
                    {
                        var valid = model.Valid(session.LatestAccess);
                        Expect(valid ? HttpStatusCode.NoContent : HttpStatusCode.Unauthorized, await api.LogoutAllAsync(session.LatestAccess.Value), op, history);
                        foreach (var ended in sessions.Where(_ => valid))
                        {
                            ended.Ended = true;
                        }

                        break;
                    }

                case OpKind.LogoutOthers when session is not null:
                    {
                        var valid = model.Valid(session.LatestAccess);
                        var (status, _) = await api.LogoutOthersAsync(session.LatestAccess.Value);
                        Expect(valid ? HttpStatusCode.NoContent : HttpStatusCode.Unauthorized, status, op, history);
                        foreach (var ended in sessions.Where(s => valid && s != session))
                        {
                            ended.Ended = true;
                        }

                        break;
                    }

                case OpKind.ChangePassword:
                    {
                        var login = await LoginAsync(api, model, user);
                        var password = Api.NewPassword();
                        Expect(HttpStatusCode.OK, await api.StatusAsync(HttpMethod.Post, $"{Api.Identity}/manage/info", login.LatestAccess.Value, new { oldPassword = user.Password, newPassword = password }), op, history);
                        user.Password = password;
                        user.Epoch++;
                        break;
                    }

                default:
                    // The chosen session or consumed token does not exist yet: a login keeps the sequence going.
                    await LoginAsync(api, model, user);
                    break;
            }

            await CheckAllAsync(api, handler, model, op.ToString(), history);
        }
    }

    private static async Task<ModelSession> LoginAsync(Api api, Model model, ModelUser user)
    {
        var pair = await api.LoginPairAsync(new TestUser(user.Id, user.Email, user.Password));
        var session = new ModelSession(user);
        model.Sessions.Add(session);
        model.Add(session, pair);
        return session;
    }

    private static void Expect(HttpStatusCode expected, HttpStatusCode actual, Op op, StringBuilder history) =>
        Assert.True(expected == actual, $"{op}: expected {(int)expected}, got {(int)actual}.\nSteps:\n{history}");

    private static async Task CheckAllAsync(Api api, UserKeyedTokenHandler handler, Model model, string after, StringBuilder history)
    {
        for (var i = 0; i < model.Tokens.Count; i++)
        {
            var token = model.Tokens[i];
            bool accepted;
            if (token.Purpose == TokenPurpose.Access)
            {
                accepted = await api.MeStatusAsync(token.Value) == HttpStatusCode.OK;
            }
            else
            {
                accepted = (await handler.ValidateAsync(token.Value, TokenPurpose.Refresh, TestContext.Current.CancellationToken)).IsValid;
            }

            Assert.True(
                accepted == model.Valid(token),
                $"after {after}: {token.Purpose} token #{i} of user {token.Session.Owner.Index} accepted={accepted}, model says {model.Valid(token)}.\nSteps:\n{history}");
        }
    }

    public sealed record Op(OpKind Kind, int User, int Session)
    {
        public override string ToString() => $"{Kind}(user {User}, session #{Session})";
    }

    public sealed record Scenario(int UserCount, Op[] Ops)
    {
        public override string ToString() => $"{UserCount} users: {string.Join(", ", Ops.Select(o => o.ToString()))}";
    }

    public static class Arbitraries
    {
        public static Arbitrary<Scenario> Scenario()
        {
            // Refresh and reuse come more often: they are where rotation and theft detection live.
            var kind = Gen.Frequency(
                (2, Gen.Constant(OpKind.Login)),
                (4, Gen.Constant(OpKind.Refresh)),
                (3, Gen.Constant(OpKind.ReuseOldRefresh)),
                (2, Gen.Constant(OpKind.Logout)),
                (1, Gen.Constant(OpKind.LogoutAll)),
                (2, Gen.Constant(OpKind.LogoutOthers)),
                (1, Gen.Constant(OpKind.ChangePassword)));
            var op = from k in kind
                     from user in Gen.Choose(0, 2)
                     from session in Gen.Choose(0, 5)
                     select new Op(k, user, session);
            var scenario = from userCount in Gen.Choose(2, 3)
                           from length in Gen.Choose(1, 12)
                           from ops in op.ArrayOf(length)
                           select new Scenario(userCount, [.. ops.Select(o => o with { User = o.User % userCount })]);
            return Arb.From(scenario, Shrink);
        }

        private static IEnumerable<Scenario> Shrink(Scenario scenario)
        {
            for (var i = 0; i < scenario.Ops.Length && scenario.Ops.Length > 1; i++)
            {
                yield return scenario with { Ops = [.. scenario.Ops[..i], .. scenario.Ops[(i + 1)..]] };
            }
        }
    }

    private sealed class Model
    {
        public List<ModelUser> Users { get; } = [];

        public List<ModelSession> Sessions { get; } = [];

        public List<ModelToken> Tokens { get; } = [];

        // A token lives while its user's key inputs are those it was issued under and its session has not ended. Expiry
        // plays no part: a run takes seconds, and lifetimes are covered by SessionLifetimeTests.
        public bool Valid(ModelToken token) => token.Epoch == token.Session.Owner.Epoch && !token.Session.Ended;

        public void Add(ModelSession session, TokenPair pair)
        {
            session.LatestAccess = new ModelToken(session, TokenPurpose.Access, pair.Access, session.Owner.Epoch);
            session.LatestRefresh = new ModelToken(session, TokenPurpose.Refresh, pair.Refresh, session.Owner.Epoch);
            Tokens.Add(session.LatestAccess);
            Tokens.Add(session.LatestRefresh);
        }
    }

    private sealed class ModelUser(int index, string id)
    {
        public int Index { get; } = index;

        public string Id { get; } = id;

        public required string Email { get; init; }

        public required string Password { get; set; }

        public int Epoch { get; set; }
    }

    private sealed class ModelSession(ModelUser owner)
    {
        public ModelUser Owner { get; } = owner;

        public bool Ended { get; set; }

        public ModelToken LatestAccess { get; set; } = null!;

        public ModelToken LatestRefresh { get; set; } = null!;

        public List<ModelToken> Consumed { get; } = [];
    }

    private sealed record ModelToken(ModelSession Session, TokenPurpose Purpose, string Value, int Epoch);
}
