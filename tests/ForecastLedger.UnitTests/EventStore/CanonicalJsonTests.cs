using System.Text;
using ForecastLedger.Audit;

namespace ForecastLedger.UnitTests.EventStore;

public sealed class CanonicalJsonTests
{
    [Fact]
    public void rfc_8785_example_canonicalises_byte_for_byte()
    {
        const string input = """
            {
              "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
              "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
              "literals": [null, true, false]
            }
            """;
        const string expected = """{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}""";

        Assert.Equal(expected, Encoding.UTF8.GetString(CanonicalJson.Serialize(input)));
    }

    [Fact]
    public void members_sort_by_utf16_code_units()
    {
        const string input = """{"\u20ac":"Euro Sign","\r":"Carriage Return","\ufb33":"Hebrew Letter Dalet With Dagesh","1":"One","\ud83d\ude00":"Emoji: Grinning Face","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis"}""";

        var canonical = Encoding.UTF8.GetString(CanonicalJson.Serialize(input));

        var order = new[] { "\\r", "\"1\"", "\u0080", "\u00f6", "\u20ac", "\ud83d\ude00", "\ufb33" }
            .Select(k => canonical.IndexOf(k, StringComparison.Ordinal)).ToArray();
        Assert.All(order, i => Assert.True(i >= 0));
        Assert.Equal(order.Order().ToArray(), order);
    }

    [Theory]
    [InlineData(0.0, "0")]
    [InlineData(5e-324, "5e-324")]
    [InlineData(-5e-324, "-5e-324")]
    [InlineData(1.7976931348623157e308, "1.7976931348623157e+308")]
    [InlineData(9007199254740992.0, "9007199254740992")]
    [InlineData(1e21, "1e+21")]
    [InlineData(1e20, "100000000000000000000")]
    [InlineData(0.000001, "0.000001")]
    [InlineData(1e-7, "1e-7")]
    [InlineData(123.456, "123.456")]
    [InlineData(-1.5, "-1.5")]
    [InlineData(0.1, "0.1")]
    [InlineData(1.25e-5, "0.0000125")]
    [InlineData(295147905179352830000.0, "295147905179352830000")]
    public void numbers_use_ecmascript_shortest_form(double value, string expected) =>
        Assert.Equal(expected, CanonicalJson.FormatNumber(value));

    [Fact]
    public void key_order_and_whitespace_do_not_change_the_bytes()
    {
        var a = CanonicalJson.Serialize("""{ "b": [1, 2.0, {"y": 1, "x": 2}], "a": "é" }""");
        var b = CanonicalJson.Serialize("""{"a":"\u00e9","b":[1.0,2,{"x":2,"y":1}]}""");

        Assert.Equal(a, b);
    }

    [Fact]
    public void duplicate_member_names_have_no_canonical_form() =>
        Assert.Throws<FormatException>(() => CanonicalJson.Serialize("""{"a":1,"a":2}"""));
}
