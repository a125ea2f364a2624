using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.Extensions.DependencyInjection;

namespace UserKeyedJwt.AspNetCore.Tests.Adversarial;

/// <summary>
/// Mutated real tokens (bit flips, segment swaps and grafts, truncation, concatenation, stray characters): no exception
/// ever escapes the handler, no mutation is ever accepted. 10,000 cases run in-process against the app's own
/// <see cref="UserKeyedTokenHandler"/> (real Identity store on SQLite behind it), a smaller sample through HTTP.
/// </summary>
public sealed class FuzzTests(AdversarialFixture f) : IClassFixture<AdversarialFixture>
{
    public enum Kind
    {
        FlipBit,
        SwapSegments,
        Truncate,
        ConcatSelf,
        ConcatOther,
        DuplicateSegment,
        DeleteRange,
        InsertChar,
        GraftSegmentOfOther,
        ReverseSegment,
        DropSegment,
    }

    [Property(Arbitrary = [typeof(Arbitraries)], MaxTest = 10_000)]
    public async Task ValidateAsync_MutatedRealToken_NeverThrowsNeverAccepts(Mutation[] mutations)
    {
        var handler = f.App.Services.GetRequiredService<UserKeyedTokenHandler>();
        var token = Mutation.ApplyAll(mutations, f.AliceToken, f.BobToken);
        if (token == f.AliceToken || token == f.BobToken)
        {
            return;
        }

        // Both entry points: the library's own, and the one JwtBearer calls.
        var result = await handler.ValidateAsync(token, cancellationToken: TestContext.Current.CancellationToken);
        var bearer = await handler.ValidateTokenAsync(token, handler.CreateValidationParameters());

        Assert.False(result.IsValid, string.Join(", ", mutations.Select(m => m.ToString())));
        Assert.False(bearer.IsValid);
    }

    [Property(Arbitrary = [typeof(Arbitraries)], MaxTest = 300)]
    public async Task GetMe_MutatedRealToken_Returns401(Mutation[] mutations)
    {
        var token = Mutation.ApplyAll(mutations, f.AliceToken, f.BobToken);
        if (token == f.AliceToken || token == f.BobToken || token.Length == 0 || token.Any(c => c is '\r' or '\n' or '\0' || c > '\u007e' || c < ' '))
        {
            // Not sendable as a header value; the in-process property covers these.
            return;
        }

        await f.AssertRejectedAsync(token.Trim().Length == 0 ? "Bearer x" : token, maxReads: 1, because: string.Join(", ", mutations.Select(m => m.ToString())));
    }

    public sealed record Mutation(Kind Kind, int A, int B, char C)
    {
        public static string ApplyAll(Mutation[] mutations, string token, string other) =>
            mutations.Aggregate(token, (current, m) => m.Apply(current, other));

        public string Apply(string token, string other)
        {
            if (token.Length == 0)
            {
                return token;
            }

            var parts = token.Split('.');
            var i = A % parts.Length;
            var j = B % parts.Length;
            var otherParts = other.Split('.');
            switch (Kind)
            {
                case Kind.FlipBit:
                    var chars = token.ToCharArray();
                    chars[A % chars.Length] = (char)(chars[A % chars.Length] ^ (1 << (B % 8)));
                    return new string(chars);
                case Kind.SwapSegments:
                    (parts[i], parts[j]) = (parts[j], parts[i]);
                    return string.Join('.', parts);
                case Kind.Truncate:
                    return token[..(A % token.Length)];
                case Kind.ConcatSelf:
                    return token + (B % 2 == 0 ? "." : "") + token;
                case Kind.ConcatOther:
                    return token + (B % 2 == 0 ? "." : "") + other;
                case Kind.DuplicateSegment:
                    return string.Join('.', parts.Take(i + 1).Append(parts[i]).Concat(parts.Skip(i + 1)));
                case Kind.DeleteRange:
                    var start = A % token.Length;
                    return token.Remove(start, Math.Min(1 + (B % 8), token.Length - start));
                case Kind.InsertChar:
                    return token.Insert(A % (token.Length + 1), C.ToString());
                case Kind.GraftSegmentOfOther:
                    parts[i] = otherParts[B % otherParts.Length];
                    return string.Join('.', parts);
                case Kind.ReverseSegment:
                    parts[i] = new string(parts[i].Reverse().ToArray());
                    return string.Join('.', parts);
                default:
                    return string.Join('.', parts.Where((_, k) => k != i));
            }
        }
    }

    public static class Arbitraries
    {
        private static readonly char[] Stray = ['.', '=', '+', '/', ' ', '\0', '\t', 'é', '\ud800', '"', '\\', '{', 'A', '-', '_', '%'];

        public static Arbitrary<Mutation> Mutation() =>
            (from kind in Gen.Elements(Enum.GetValues<Kind>())
             from a in Gen.Choose(0, 2_000)
             from b in Gen.Choose(0, 64)
             from c in Gen.Elements(Stray)
             select new Mutation(kind, a, b, c)).ToArbitrary();

        public static Arbitrary<Mutation[]> Mutations() =>
            Gen.Choose(1, 3).SelectMany(n => Mutation().Generator.ArrayOf(n)).ToArbitrary();
    }
}
