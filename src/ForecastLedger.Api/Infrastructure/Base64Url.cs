using System.Text;

namespace ForecastLedger.Api.Infrastructure;

/// <summary>Opaque cursors: base64url over UTF-8 text.</summary>
public static class Base64Url
{
    public static string Encode(string text) => System.Buffers.Text.Base64Url.EncodeToString(Encoding.UTF8.GetBytes(text));

    public static string? TryDecode(string encoded)
    {
        try
        {
            return Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(encoded));
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
