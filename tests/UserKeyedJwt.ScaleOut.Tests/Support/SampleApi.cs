using System.Net;
using System.Text.Json;

namespace UserKeyedJwt.ScaleOut.Tests.Support;

/// <summary>
/// The sample's HTTP surface as the harness uses it, and nowhere else: every route, request body, expected status and
/// response field. <see cref="Cluster"/> sends the requests; the tests never name a route.
/// </summary>
/// <remarks>
/// The user's id is read from the database after registration (<see cref="UserIdQuery"/>), not from the register response,
/// so the harness does not depend on what that response holds.
/// </remarks>
public static class SampleApi
{
    /// <summary>GET with a bearer token: 200 while the token is valid, 401 otherwise (also the start probe, without one).</summary>
    public const string Me = "/me";

    /// <summary>POST, anonymous.</summary>
    public const string Register = "/identity/register";

    /// <summary>POST, anonymous: a new session; the body is read by <see cref="ReadPair"/>.</summary>
    public const string Login = "/identity/login";

    /// <summary>POST, anonymous: the session's next pair, read by <see cref="ReadPair"/>; 401 for every refusal.</summary>
    public const string Refresh = "/identity/refresh";

    /// <summary>POST, bearer: the caller's session ends.</summary>
    public const string Logout = "/identity/logout";

    /// <summary>POST, bearer: every other session of the caller's user ends.</summary>
    public const string LogoutOthers = "/identity/logoutOthers";

    /// <summary>POST, bearer: every session of the caller's user ends.</summary>
    public const string LogoutAll = "/identity/logoutAll";

    /// <summary>POST, bearer: <see cref="ChangePasswordBody"/>; 200 with the account's info.</summary>
    public const string ChangePassword = "/identity/manage/info";

    public const HttpStatusCode RegisterStatus = HttpStatusCode.OK;
    public const HttpStatusCode LogoutStatus = HttpStatusCode.NoContent;
    public const HttpStatusCode ChangePasswordStatus = HttpStatusCode.OK;
    public const HttpStatusCode EndSessionStatus = HttpStatusCode.NoContent;
    public const HttpStatusCode AdminStatus = HttpStatusCode.NoContent;

    public static object CredentialsBody(string email, string password) => new { email, password };

    public static object RefreshBody(string refreshToken) => new { refreshToken };

    public static object ChangePasswordBody(string oldPassword, string newPassword) => new { oldPassword, newPassword };

    /// <summary>DELETE, bearer: one of the caller's sessions ends.</summary>
    public static string Session(string sessionId) => $"/identity/manage/sessions/{sessionId}";

    /// <summary>POST, the admin's bearer: the user's security stamp rotates.</summary>
    public static string AdminRevoke(string userId) => $"/admin/users/{userId}/revoke";

    /// <summary>DELETE, the admin's bearer: every session of the user ends.</summary>
    public static string AdminSessions(string userId) => $"/admin/users/{userId}/sessions";

    /// <summary>The access and refresh tokens of a login or refresh response.</summary>
    public static Cluster.Pair ReadPair(JsonElement body) =>
        new(body.GetProperty("accessToken").GetString()!, body.GetProperty("refreshToken").GetString()!);

    /// <summary>The SQL that reads a registered user's id (Identity's normalized email is the upper-case one).</summary>
    public static string UserIdQuery(string email) =>
        $"SELECT \"Id\" FROM \"AspNetUsers\" WHERE \"NormalizedEmail\" = '{email.ToUpperInvariant()}'";
}
