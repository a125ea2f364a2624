using System.Text.Json.Serialization;

namespace UserKeyedJwt;

/// <summary>Why a session is ended, for logs and metrics.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SessionEndReason>))]
public enum SessionEndReason
{
    /// <summary>Its user logged out of it.</summary>
    Logout = 0,

    /// <summary>Its user logged out of every other session, from another one.</summary>
    LogoutOthers = 1,

    /// <summary>Its user logged out of every session.</summary>
    LogoutAll = 2,

    /// <summary>Ended by its id, from a list of sessions: by its user, or by an administrator.</summary>
    Ended = 3,
}
