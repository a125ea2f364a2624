namespace UserKeyedJwt.Tool.Explaining;

/// <summary>The verdict of <c>explain</c>: which step rejects the token and why, in one line, with each step's status.</summary>
/// <param name="Verdict"><c>valid</c>, <c>rejected</c>, <c>unchecked</c> (offline checks passed) or <c>error</c> (a store failed).</param>
/// <param name="Step">The step that decided, as the docs name it: <c>malformed</c>, <c>revoked</c>, …; <c>valid</c> when none rejected.</param>
/// <param name="Reason">The library's own reason, as logs and metrics carry it.</param>
/// <param name="Summary">The verdict in one line, with why.</param>
/// <param name="Steps">Each step and how the token fared at it.</param>
internal sealed record Explanation(string Verdict, string Step, TokenFailureReason? Reason, string Summary, IReadOnlyList<StepStatus> Steps)
{
    public int ExitCode => Verdict switch
    {
        "valid" or "unchecked" => ExitCodes.Ok,
        "rejected" => ExitCodes.Rejected,
        _ => ExitCodes.Usage,
    };
}

/// <summary>One validation step and how the token fared at it: <c>ok</c>, <c>rejected</c>, <c>not reached</c>, <c>not checked</c> or <c>error</c>.</summary>
internal sealed record StepStatus(string Name, string Status);
