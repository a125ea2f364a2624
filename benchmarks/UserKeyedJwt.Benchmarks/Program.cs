using BenchmarkDotNet.Running;
using UserKeyedJwt.Benchmarks;

if (args is ["memory", ..])
{
    await MemoryProbe.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 100_000);
    return;
}

if (args is ["timing", ..])
{
    await TimingProbe.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 20_000);
    return;
}

if (args is ["profile", var which, var seconds])
{
    await ProfileLoop.RunAsync(which, int.Parse(seconds, System.Globalization.CultureInfo.InvariantCulture));
    return;
}

if (args is ["fields"])
{
    foreach (var type in new[] { typeof(Microsoft.IdentityModel.Tokens.SymmetricSecurityKey), typeof(Microsoft.IdentityModel.Tokens.SignatureProvider) })
    {
        for (var t = type; t is not null && t != typeof(object); t = t.BaseType)
        {
            foreach (var f in t.GetFields(System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.DeclaredOnly))
            {
                Console.WriteLine($"{t.Name}.{f.Name}: {f.FieldType.Name}");
            }
        }
    }

    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
