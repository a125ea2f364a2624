namespace UserKeyedJwt.Tool.Explaining;

/// <summary>Prints an <see cref="Explanation"/>: the verdict first, then each step.</summary>
internal static class ExplanationWriter
{
    public static void Write(Explanation explanation, bool json, TextWriter output)
    {
        if (json)
        {
            Inspecting.Inspector.WriteJson(output, writer =>
            {
                writer.WriteString("verdict", explanation.Verdict);
                writer.WriteString("step", explanation.Step);
                writer.WriteString("reason", explanation.Reason?.ToString());
                writer.WriteString("explanation", explanation.Summary);
                writer.WriteStartArray("steps");
                foreach (var step in explanation.Steps)
                {
                    writer.WriteStartObject();
                    writer.WriteString("name", step.Name);
                    writer.WriteString("status", step.Status);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
            });
            return;
        }

        output.WriteLine(explanation.Verdict == "rejected" ? $"rejected at {explanation.Summary}" : explanation.Summary);
        foreach (var step in explanation.Steps)
        {
            output.WriteLine($"  {step.Name,-11} {step.Status}");
        }

        if (explanation.Reason is { } reason)
        {
            output.WriteLine($"  (the library's reason: {reason}, as logs and metrics name it)");
        }
    }
}
