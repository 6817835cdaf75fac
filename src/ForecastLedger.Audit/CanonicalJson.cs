using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ForecastLedger.Audit;

/// <summary>
/// RFC 8785 JSON Canonicalization Scheme (JCS): object members sorted by their UTF-16 code units, no insignificant
/// white space, strings with the minimal escaping of ECMAScript's JSON.stringify, and numbers in ECMAScript's shortest
/// round-trip form. jsonb is not canonical (it reorders keys and keeps trailing zeros), so hashes are always taken over
/// these bytes, which anyone can recompute offline from the stored JSON. See docs/tamper-evidence.md.
/// </summary>
public static class CanonicalJson
{
    /// <summary>The canonical UTF-8 bytes of a JSON value.</summary>
    /// <exception cref="FormatException">The value holds a duplicate member name or a number JCS cannot represent.</exception>
    public static byte[] Serialize(JsonElement value)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        Write(value, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The canonical UTF-8 bytes of a JSON text.</summary>
    public static byte[] Serialize(string json)
    {
        using var document = JsonDocument.Parse(json);
        return Serialize(document.RootElement);
    }

    private static void Write(JsonElement value, ArrayBufferWriter<byte> output)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                WriteObject(value, output);
                break;
            case JsonValueKind.Array:
                output.Write("["u8);
                var first = true;
                foreach (var item in value.EnumerateArray())
                {
                    if (!first)
                    {
                        output.Write(","u8);
                    }

                    first = false;
                    Write(item, output);
                }

                output.Write("]"u8);
                break;
            case JsonValueKind.String:
                WriteString(value.GetString()!, output);
                break;
            case JsonValueKind.Number:
                WriteAscii(FormatNumber(value.GetDouble()), output);
                break;
            case JsonValueKind.True:
                output.Write("true"u8);
                break;
            case JsonValueKind.False:
                output.Write("false"u8);
                break;
            case JsonValueKind.Null:
                output.Write("null"u8);
                break;
            default:
                throw new FormatException($"JSON value kind {value.ValueKind} cannot be canonicalised.");
        }
    }

    private static void WriteObject(JsonElement value, ArrayBufferWriter<byte> output)
    {
        var members = value.EnumerateObject().ToList();
        // Ordinal string comparison in .NET compares UTF-16 code units, which is exactly JCS's sort order.
        members.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        output.Write("{"u8);
        for (var i = 0; i < members.Count; i++)
        {
            if (i > 0)
            {
                if (string.Equals(members[i - 1].Name, members[i].Name, StringComparison.Ordinal))
                {
                    throw new FormatException($"Duplicate JSON member '{members[i].Name}' has no canonical form.");
                }

                output.Write(","u8);
            }

            WriteString(members[i].Name, output);
            output.Write(":"u8);
            Write(members[i].Value, output);
        }

        output.Write("}"u8);
    }

    private static void WriteString(string text, ArrayBufferWriter<byte> output)
    {
        var builder = new StringBuilder(text.Length + 2);
        builder.Append('"');
        foreach (var c in text)
        {
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\b': builder.Append("\\b"); break;
                case '\f': builder.Append("\\f"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                default:
                    if (c < 0x20)
                    {
                        builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        builder.Append('"');
        var bytes = Encoding.UTF8.GetBytes(builder.ToString());
        output.Write(bytes);
    }

    private static void WriteAscii(string text, ArrayBufferWriter<byte> output) => output.Write(Encoding.ASCII.GetBytes(text));

    /// <summary>ECMAScript Number::toString for a finite double (ECMA-262 §6.1.6.1.20), as RFC 8785 §3.2.2.3 requires.</summary>
    public static string FormatNumber(double value)
    {
        if (!double.IsFinite(value))
        {
            throw new FormatException("NaN and infinities have no JSON form.");
        }

        if (value == 0)
        {
            return "0";
        }

        if (value < 0)
        {
            return "-" + FormatNumber(-value);
        }

        // "R" gives the shortest digits that round-trip; re-express them as digits s and exponent n (value = 0.s × 10^n).
        var roundTrip = value.ToString("R", CultureInfo.InvariantCulture);
        var exponentAt = roundTrip.IndexOfAny(['E', 'e']);
        var mantissa = exponentAt < 0 ? roundTrip : roundTrip[..exponentAt];
        var exponent = exponentAt < 0 ? 0 : int.Parse(roundTrip[(exponentAt + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var point = mantissa.IndexOf('.', StringComparison.Ordinal);
        var integerDigits = point < 0 ? mantissa.Length : point;
        var allDigits = mantissa.Replace(".", string.Empty, StringComparison.Ordinal);
        var leadingZeros = allDigits.Length - allDigits.TrimStart('0').Length;
        var digits = allDigits.Trim('0');
        var k = digits.Length;
        var n = integerDigits - leadingZeros + exponent;

        if (k <= n && n <= 21)
        {
            return digits + new string('0', n - k);
        }

        if (0 < n && n <= 21)
        {
            return digits[..n] + "." + digits[n..];
        }

        if (-6 < n && n <= 0)
        {
            return "0." + new string('0', -n) + digits;
        }

        var e = n - 1;
        var sign = e < 0 ? "-" : "+";
        var magnitude = Math.Abs(e).ToString(CultureInfo.InvariantCulture);
        return k == 1 ? $"{digits}e{sign}{magnitude}" : $"{digits[0]}.{digits[1..]}e{sign}{magnitude}";
    }
}
