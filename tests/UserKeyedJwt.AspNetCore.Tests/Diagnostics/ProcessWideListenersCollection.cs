namespace UserKeyedJwt.AspNetCore.Tests.Diagnostics;

/// <summary>
/// Activity and meter listeners are process-wide, so the tests that install them run alone: no other test's listener,
/// activity or instrument mixes into what they count.
/// </summary>
[CollectionDefinition(nameof(ProcessWideListenersCollection), DisableParallelization = true)]
public sealed class ProcessWideListenersCollection;
