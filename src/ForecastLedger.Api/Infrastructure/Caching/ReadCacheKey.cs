namespace ForecastLedger.Api.Infrastructure.Caching;

/// <summary>
/// What a <see cref="ReadCache"/> entry holds: a record whose fields are everything the value depends on (so equal
/// keys name equal values; keys of different types never meet) and whose type parameter is the value's type.
/// </summary>
/// <typeparam name="T">The cached value.</typeparam>
public abstract record ReadCacheKey<T>
    where T : class
{
    /// <summary>
    /// Approximately how many bytes <paramref name="value"/> holds, for the cache's one size bound: a byte array its
    /// length, a collection 128 bytes an item, anything else a kilobyte. A key whose values are larger says so.
    /// </summary>
    public virtual long SizeOf(T value) => value switch
    {
        byte[] bytes => bytes.Length,
        System.Collections.ICollection items => 64 + (items.Count * 128L),
        _ => 1024,
    };
}
