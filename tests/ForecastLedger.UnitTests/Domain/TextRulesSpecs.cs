using ForecastLedger.Domain;
using ForecastLedger.Domain.Forecasters;

namespace ForecastLedger.UnitTests.Domain;

public sealed class TextRulesSpecs
{
    [Theory]
    [InlineData("a\u0000b")]
    [InlineData("bell\u0007")]
    [InlineData("\u001b[31m")]
    [InlineData("next line\u0085")]
    [InlineData("del\u007f")]
    [InlineData("ltr embedding \u202A")]
    [InlineData("rtl override \u202E")]
    [InlineData("isolate \u2066x\u2069")]
    [InlineData("bom \uFEFF")]
    [InlineData("noncharacter \uFFFF")]
    public void No_kind_accepts_control_bidi_bom_or_noncharacters(string text) => AssertNoKindAccepts(text);

    [Fact]
    public void No_kind_accepts_text_that_is_not_valid_utf16()
    {
        // Built at run time: a lone surrogate in test data would not survive the test runner's serialization.
        const char high = (char)0xD800;
        const char low = (char)0xDC00;
        AssertNoKindAccepts("lone high " + high);
        AssertNoKindAccepts("lone low " + low + " x");
        AssertNoKindAccepts("reversed " + low + high);
    }

    private static void AssertNoKindAccepts(string text)
    {
        Assert.False(TextRules.IsAcceptable(text, TextKind.Prose));
        Assert.False(TextRules.IsAcceptable(text, TextKind.Line));
        Assert.False(TextRules.IsAcceptable(text, TextKind.Name));
    }

    [Theory]
    [InlineData("Line one.\nLine two.\r\n\tIndented.")]
    [InlineData("A family: \U0001F468\u200D\U0001F469\u200D\U0001F467.")]
    [InlineData("Persian with a non-joiner: \u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645")]
    [InlineData("\u05E9\u05DC\u05D5\u05DD \u200F(RLM)")]
    public void Prose_keeps_line_breaks_tabs_joiners_and_marks(string text) =>
        Assert.True(TextRules.IsAcceptable(text, TextKind.Prose));

    [Theory]
    [InlineData("two\nlines")]
    [InlineData("tab\there")]
    public void A_line_has_no_line_breaks_or_tabs(string text) =>
        Assert.False(TextRules.IsAcceptable(text, TextKind.Line));

    [Theory]
    [InlineData("zero\u200Bwidth")]
    [InlineData("joiner\u200D")]
    [InlineData("mark\u200E")]
    [InlineData("word\u2060joiner")]
    [InlineData("soft\u00ADhyphen")]
    [InlineData("hangul filler \u3164")]
    [InlineData("braille blank \u2800")]
    [InlineData("no-break\u00A0space")]
    [InlineData("ideographic\u3000space")]
    [InlineData("private \uE000")]
    [InlineData("tag \U000E0041")]
    public void A_name_refuses_invisible_and_spoofing_characters(string text) =>
        Assert.False(TextRules.IsAcceptable(text, TextKind.Name));

    [Theory]
    [InlineData("Ada Lovelace")]
    [InlineData("Zo\u00E9")]
    [InlineData("\u674E\u5C0F\u9F99")]
    [InlineData("\u05E9\u05DC\u05D5\u05DD")]
    [InlineData("Rocket \U0001F680")]
    public void A_name_accepts_visible_text_in_any_script(string text) =>
        Assert.True(TextRules.IsAcceptable(text, TextKind.Name));

    [Fact]
    public void A_name_is_trimmed() =>
        Assert.Equal("Zoe\u0301", TextRules.NormalizeName("  Zoe\u0301 "));

    [Theory]
    [InlineData("   ")]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("\u200B")]
    public void A_blank_or_invisible_name_normalizes_to_nothing(string? text) =>
        Assert.Null(TextRules.NormalizeName(text));

    [Fact]
    public void Registering_with_a_spoofed_display_name_is_invalid_text_naming_the_field_not_the_text()
    {
        var command = new RegisterForecaster(Guid.NewGuid(), "eve", "Eve\u202Egnp.exe", false, DateTimeOffset.UnixEpoch);

        var violation = Assert.Throws<DomainRuleViolation>(() => RegisterForecasterDecider.Decide(command, Forecaster.Initial));

        Assert.Equal(TextRules.Code, violation.Code);
        Assert.Equal(RuleKind.Invalid, violation.Kind);
        Assert.Contains("displayName", violation.Message);
        Assert.DoesNotContain("gnp", violation.Message);
    }
}
