using System.Globalization;
using System.Text.Json;

namespace ForecastLedger.Verifier;

/// <summary>One figure that differs between the server's export and the recomputation.</summary>
/// <param name="Figure">The figure's key, e.g. <c>score {questionId} {forecasterId}</c>.</param>
/// <param name="Path">The member that differs, e.g. <c>peer</c> or <c>steps[3].probabilities[0]</c>.</param>
/// <param name="Exported">The server's value (JSON), or <c>(absent)</c>.</param>
/// <param name="Recomputed">The recomputed value (JSON), or <c>(absent)</c>.</param>
public sealed record FigureDifference(string Figure, string Path, string Exported, string Recomputed)
{
    public override string ToString() => $"{Figure}{(Path.Length > 0 ? " ." + Path : "")}: exported {Exported}, recomputed {Recomputed}";
}

/// <summary>
/// Compares the exported figures with the recomputed ones, member by member. Tolerance rules:
/// <list type="bullet">
/// <item>Doubles (the continuous-grid scores <c>log</c>, <c>baseline</c>, <c>peer</c>, <c>coverage</c>; leaderboard
/// <c>score</c> and <c>coverageSum</c>; crowd <c>probabilities</c>; calibration <c>bandLower</c>/<c>bandUpper</c>):
/// equal within 1e-9 relative (or 1e-12 absolute near zero). The server stores them as IEEE doubles and sums some
/// in PostgreSQL in an order of its choosing; a different CPU or runtime may differ in the last bits of exp/log.</item>
/// <item>Every other number (the decimal Brier-family scores, participation, calibration weights, frequencies and
/// decomposition, counts, ranks, versions): exactly equal as decimals (so 0.50 equals 0.5).</item>
/// <item>Instants (<c>opensAt</c>, <c>closesAt</c>, <c>knownAt</c>, <c>from</c>, <c>until</c>): the same instant.</item>
/// <item>Everything else (ids, strings, booleans, nulls): exactly equal.</item>
/// </list>
/// Leaderboard entries are matched by forecaster id, everything else by position.
/// </summary>
public static class FigureComparer
{
    public const double RelativeTolerance = 1e-9;
    public const double AbsoluteTolerance = 1e-12;

    private static readonly HashSet<string> DoubleMembers = new(StringComparer.Ordinal)
    {
        "log", "baseline", "peer", "coverage", "score", "coverageSum", "probabilities", "bandLower", "bandUpper",
    };

    private const string Rfc3339 = "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK";

    private static readonly HashSet<string> InstantMembers = new(StringComparer.Ordinal) { "opensAt", "closesAt", "knownAt", "from", "until" };

    /// <summary>Compares every figure; reports figures missing on either side and every differing member.</summary>
    public static (long Compared, List<FigureDifference> Differences) Compare(
        IReadOnlyDictionary<string, JsonElement> exported, IReadOnlyDictionary<string, JsonElement> recomputed)
    {
        var differences = new List<FigureDifference>();
        long compared = 0;
        foreach (var key in exported.Keys.Union(recomputed.Keys).Order(StringComparer.Ordinal))
        {
            var hasExported = exported.TryGetValue(key, out var e);
            var hasRecomputed = recomputed.TryGetValue(key, out var r);
            if (!hasExported || !hasRecomputed)
            {
                differences.Add(new FigureDifference(key, "", hasExported ? Short(e) : "(absent)", hasRecomputed ? Short(r) : "(absent)"));
                continue;
            }

            compared++;
            CompareElement(key, "", "", e, r, differences);
        }

        return (compared, differences);
    }

    /// <summary>True when two doubles are equal under the stated tolerance.</summary>
    public static bool DoublesAgree(double a, double b) =>
        a.Equals(b) || Math.Abs(a - b) <= Math.Max(AbsoluteTolerance, RelativeTolerance * Math.Max(Math.Abs(a), Math.Abs(b)));

    private static void CompareElement(string figure, string path, string member, JsonElement e, JsonElement r, List<FigureDifference> differences)
    {
        if (e.ValueKind == JsonValueKind.Object && r.ValueKind == JsonValueKind.Object)
        {
            var names = e.EnumerateObject().Select(p => p.Name).Union(r.EnumerateObject().Select(p => p.Name)).ToArray();
            foreach (var name in names)
            {
                var child = path.Length == 0 ? name : $"{path}.{name}";
                var hasE = e.TryGetProperty(name, out var ev);
                var hasR = r.TryGetProperty(name, out var rv);
                if (!hasE || !hasR)
                {
                    differences.Add(new FigureDifference(figure, child, hasE ? Short(ev) : "(absent)", hasR ? Short(rv) : "(absent)"));
                    continue;
                }

                CompareElement(figure, child, name, ev, rv, differences);
            }

            return;
        }

        if (e.ValueKind == JsonValueKind.Array && r.ValueKind == JsonValueKind.Array)
        {
            if (member == "entries")
            {
                CompareKeyed(figure, path, e, r, "forecasterId", differences);
                return;
            }

            var (ea, ra) = (e.EnumerateArray().ToArray(), r.EnumerateArray().ToArray());
            if (ea.Length != ra.Length)
            {
                differences.Add(new FigureDifference(figure, path + ".length", ea.Length.ToString(CultureInfo.InvariantCulture), ra.Length.ToString(CultureInfo.InvariantCulture)));
            }

            for (var i = 0; i < Math.Min(ea.Length, ra.Length); i++)
            {
                CompareElement(figure, $"{path}[{i}]", member, ea[i], ra[i], differences);
            }

            return;
        }

        if (!ValuesAgree(member, e, r))
        {
            differences.Add(new FigureDifference(figure, path, Short(e), Short(r)));
        }
    }

    private static void CompareKeyed(string figure, string path, JsonElement e, JsonElement r, string key, List<FigureDifference> differences)
    {
        static Dictionary<string, JsonElement> ByKey(JsonElement array, string key) =>
            array.EnumerateArray().GroupBy(x => x.TryGetProperty(key, out var k) ? k.ToString() : "").ToDictionary(g => g.Key, g => g.First());
        var (ek, rk) = (ByKey(e, key), ByKey(r, key));
        foreach (var id in ek.Keys.Union(rk.Keys).Order(StringComparer.Ordinal))
        {
            var child = $"{path}[{key}={id}]";
            if (!ek.TryGetValue(id, out var ev) || !rk.TryGetValue(id, out var rv))
            {
                differences.Add(new FigureDifference(figure, child, ek.ContainsKey(id) ? "present" : "(absent)", rk.ContainsKey(id) ? "present" : "(absent)"));
                continue;
            }

            CompareElement(figure, child, "", ev, rv, differences);
        }
    }

    private static bool ValuesAgree(string member, JsonElement e, JsonElement r)
    {
        if (e.ValueKind == JsonValueKind.Number && r.ValueKind == JsonValueKind.Number)
        {
            if (DoubleMembers.Contains(member))
            {
                return DoublesAgree(e.GetDouble(), r.GetDouble());
            }

            return e.TryGetDecimal(out var ed) && r.TryGetDecimal(out var rd) ? ed == rd : e.GetDouble().Equals(r.GetDouble());
        }

        if (e.ValueKind == JsonValueKind.String && r.ValueKind == JsonValueKind.String && InstantMembers.Contains(member))
        {
            // RFC 3339 only (Z or an offset, any fraction): a lenient parse would read a damaged "2026,01-01" as a date.
            return DateTimeOffset.TryParseExact(e.GetString(), Rfc3339, CultureInfo.InvariantCulture, DateTimeStyles.None, out var et)
                && DateTimeOffset.TryParseExact(r.GetString(), Rfc3339, CultureInfo.InvariantCulture, DateTimeStyles.None, out var rt)
                && et == rt;
        }

        return e.ValueKind == r.ValueKind && (e.ValueKind is JsonValueKind.Null or JsonValueKind.True or JsonValueKind.False
            || string.Equals(e.GetRawText(), r.GetRawText(), StringComparison.Ordinal)
            || (e.ValueKind == JsonValueKind.String && string.Equals(e.GetString(), r.GetString(), StringComparison.Ordinal)));
    }

    private static string Short(JsonElement value)
    {
        var text = value.GetRawText();
        return text.Length <= 120 ? text : text[..117] + "...";
    }
}
