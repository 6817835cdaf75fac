using System.Globalization;

namespace ForecastLedger.Domain;

/// <summary>What a piece of caller-supplied text is, which decides the characters it may hold.</summary>
public enum TextKind
{
    /// <summary>Free text over several lines (rationales, descriptions, notes): tab, line feed and carriage return allowed.</summary>
    Prose,

    /// <summary>One line of free text (query and route values, labels): no control character at all.</summary>
    Line,

    /// <summary>
    /// A name other people read and compare (display names): visible characters and ordinary spaces only,
    /// so a name can be neither invisible nor a look-alike built from format characters.
    /// </summary>
    Name,
}

/// <summary>
/// The one rule for the characters the ledger accepts in caller-supplied text (ADR 0017). Every kind refuses NUL and the
/// other C0 and C1 control characters, the bidirectional embeddings, overrides and isolates (U+202A–U+202E,
/// U+2066–U+2069, the Trojan Source characters), the byte order mark U+FEFF, noncharacters and lone surrogates (text
/// that is not valid UTF-16, which PostgreSQL cannot store). <see cref="TextKind.Prose"/> keeps tab, line feed and
/// carriage return; <see cref="TextKind.Name"/> also refuses every format character (zero-width spaces and joiners,
/// the marks U+200E/U+200F, soft hyphen), every separator other than the ordinary space, and the Hangul and Braille
/// fillers that render as blanks.
/// </summary>
public static class TextRules
{
    public const string Code = "invalid-text";

    /// <summary>True when <paramref name="value"/> holds only characters <paramref name="kind"/> allows.</summary>
    public static bool IsAcceptable(string value, TextKind kind)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                if (kind == TextKind.Name && !IsVisibleInName(char.ConvertToUtf32(c, value[i + 1])))
                {
                    return false;
                }

                i++;
                continue;
            }

            if (char.IsSurrogate(c) || !IsAcceptable(c, kind))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// A name as the ledger keeps it: trimmed; null when it is not acceptable as a <see cref="TextKind.Name"/> or nothing
    /// is left. Not Unicode-normalized: the service runs with invariant globalization, which has no normalization tables,
    /// and a display name is not an identity anyway (the handle is: unique, and ASCII only).
    /// </summary>
    public static string? NormalizeName(string? value)
    {
        if (value is null || !IsAcceptable(value, TextKind.Name))
        {
            return null;
        }

        var trimmed = value.Trim();
        return trimmed.Length == 0 ? null : trimmed;
    }

    /// <summary>Throws the 422 <c>invalid-text</c> rule violation naming <paramref name="field"/> (never echoing the text).</summary>
    public static void Require(string? value, TextKind kind, string field)
    {
        if (value is not null && !IsAcceptable(value, kind))
        {
            throw Violation(field, kind);
        }
    }

    public static DomainRuleViolation Violation(string field, TextKind kind) => new(Code, Describe(field, kind), RuleKind.Invalid);

    /// <summary>The problem detail for a refused field: what is allowed, never the refused text itself.</summary>
    public static string Describe(string field, TextKind kind) => kind switch
    {
        TextKind.Name => $"{field} must be visible characters and spaces: no control, format, zero-width, bidirectional or invisible characters, and not blank.",
        TextKind.Line => $"{field} must not contain control characters, bidirectional controls, a byte order mark or invalid UTF-16.",
        _ => $"{field} must not contain control characters other than tab and line breaks, bidirectional controls, a byte order mark or invalid UTF-16.",
    };

    private static bool IsAcceptable(char c, TextKind kind)
    {
        if (c is '\t' or '\n' or '\r')
        {
            return kind == TextKind.Prose;
        }

        if (char.IsControl(c) || c is (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069') or '\uFEFF'
            || c is (>= '\uFDD0' and <= '\uFDEF') or '\uFFFE' or '\uFFFF')
        {
            return false;
        }

        return kind != TextKind.Name || IsVisibleInName(c);
    }

    private static bool IsVisibleInName(int codePoint)
    {
        if (codePoint is 0x115F or 0x1160 or 0x3164 or 0xFFA0 or 0x2800 or 0x034F or 0x180E)
        {
            return false;
        }

        return CharUnicodeInfo.GetUnicodeCategory(codePoint) switch
        {
            UnicodeCategory.Format or UnicodeCategory.Control or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
                or UnicodeCategory.OtherNotAssigned or UnicodeCategory.PrivateUse or UnicodeCategory.Surrogate => false,
            UnicodeCategory.SpaceSeparator => codePoint == ' ',
            _ => (codePoint & 0xFFFE) != 0xFFFE,
        };
    }
}
