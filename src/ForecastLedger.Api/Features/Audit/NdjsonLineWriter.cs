using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;

namespace ForecastLedger.Api.Features.Audit;

/// <summary>Writes one JSON document per line to a pipe, flushing every 64 KiB.</summary>
public sealed class NdjsonLineWriter(PipeWriter output)
{
    /// <summary>camelCase, as every API response.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private const int FlushEvery = 64 * 1024;
    private readonly Utf8JsonWriter _json = new(output);
    private long _unflushed;

    /// <summary>Lines written so far.</summary>
    public long Count { get; private set; }

    public async ValueTask WriteAsync<T>(T line, CancellationToken ct)
    {
        JsonSerializer.Serialize(_json, line, Json);
        _json.Flush();
        _unflushed += _json.BytesCommitted;
        _json.Reset();
        output.Write("\n"u8);
        _unflushed++;
        Count++;
        if (_unflushed >= FlushEvery)
        {
            await FlushAsync(ct);
        }
    }

    public async ValueTask FlushAsync(CancellationToken ct)
    {
        _unflushed = 0;
        await output.FlushAsync(ct);
    }
}
