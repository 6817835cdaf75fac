using System.Globalization;
using System.Text;
using ForecastLedger.Audit;

namespace ForecastLedger.Api.Features.Audit;

/// <summary>
/// Writes RFC 4180 CSV to a stream: CRLF line ends, a header row, and a field quoted (its quotes doubled) only when it
/// holds a comma, a quote, CR or LF. Numbers and instants are written culture-invariant: decimals exactly, doubles in
/// shortest round-trip form, instants as UTC <c>yyyy-MM-ddTHH:mm:ss.ffffffZ</c>. Null is an empty field.
/// </summary>
public sealed class ExportCsvWriter(Stream output) : IAsyncDisposable
{
    /// <summary>The media type of every CSV export.</summary>
    public const string ContentType = "text/csv; charset=utf-8; header=present";

    private readonly StreamWriter _writer = new(output, new UTF8Encoding(false), 16 * 1024, leaveOpen: true) { AutoFlush = false };
    private readonly List<string?> _fields = [];

    /// <summary>Rows written, header included.</summary>
    public long Rows { get; private set; }

    public ExportCsvWriter Field(string? value)
    {
        _fields.Add(value);
        return this;
    }

    public ExportCsvWriter Field(long value) => Field(value.ToString(CultureInfo.InvariantCulture));

    public ExportCsvWriter Field(long? value) => Field(value?.ToString(CultureInfo.InvariantCulture));

    public ExportCsvWriter Field(decimal? value) => Field(value?.ToString(CultureInfo.InvariantCulture));

    public ExportCsvWriter Field(double value) => Field(value.ToString("R", CultureInfo.InvariantCulture));

    public ExportCsvWriter Field(bool value) => Field(value ? "true" : "false");

    public ExportCsvWriter Field(Guid value) => Field(value.ToString("D"));

    public ExportCsvWriter Field(DateTimeOffset? value) => Field(value is { } v ? EventHashing.FormatTimestamp(v) : null);

    /// <summary>Ends the current row (written asynchronously: the response stream allows no synchronous writes).</summary>
    public async ValueTask EndRowAsync(CancellationToken ct)
    {
        var row = new StringBuilder();
        for (var i = 0; i < _fields.Count; i++)
        {
            if (i > 0)
            {
                row.Append(',');
            }

            row.Append(Escape(_fields[i]));
        }

        row.Append("\r\n");
        _fields.Clear();
        Rows++;
        await _writer.WriteAsync(row, ct);
        if (Rows % 256 == 0)
        {
            await _writer.FlushAsync(ct);
        }
    }

    /// <summary>Writes a whole header row.</summary>
    public ValueTask HeaderAsync(IEnumerable<string> columns, CancellationToken ct)
    {
        foreach (var column in columns)
        {
            Field(column);
        }

        return EndRowAsync(ct);
    }

    /// <summary>One field as RFC 4180 writes it.</summary>
    public static string Escape(string? value) =>
        value is null ? ""
        : value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
        : value;

    public async ValueTask DisposeAsync()
    {
        await _writer.FlushAsync();
        await _writer.DisposeAsync();
    }
}
