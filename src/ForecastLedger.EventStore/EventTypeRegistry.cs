using System.Text.RegularExpressions;

namespace ForecastLedger.EventStore;

/// <summary>
/// The explicit map between stable snake_case aliases (what the store keeps) and CLR types (what code folds).
/// Renaming a class never orphans stored events, because the alias is written down here, not derived.
/// </summary>
public sealed partial class EventTypeRegistry
{
    private readonly Dictionary<string, Type> _byAlias = new(StringComparer.Ordinal);
    private readonly Dictionary<Type, string> _byType = [];

    /// <summary>Registers one event type. Throws when the alias is malformed or either side is already taken.</summary>
    public EventTypeRegistry Register(string alias, Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (!AliasPattern().IsMatch(alias))
        {
            throw new ArgumentException($"Event alias '{alias}' is not snake_case ([a-z][a-z0-9_]*).", nameof(alias));
        }

        if (_byAlias.TryGetValue(alias, out var existing))
        {
            throw new InvalidOperationException($"Event alias '{alias}' is registered twice: {existing.FullName} and {type.FullName}.");
        }

        if (_byType.TryGetValue(type, out var existingAlias))
        {
            throw new InvalidOperationException($"Event type {type.FullName} is registered twice: '{existingAlias}' and '{alias}'.");
        }

        _byAlias.Add(alias, type);
        _byType.Add(type, alias);
        return this;
    }

    /// <summary>Registers one event type.</summary>
    public EventTypeRegistry Register<T>(string alias) => Register(alias, typeof(T));

    /// <summary>Every registered alias.</summary>
    public IReadOnlyCollection<string> Aliases => _byAlias.Keys;

    /// <summary>The alias of a registered type.</summary>
    public string AliasFor(Type type) => _byType.TryGetValue(type, out var alias)
        ? alias
        : throw new InvalidOperationException($"Event type {type.FullName} has no registered alias.");

    /// <summary>The type of a registered alias, or null for an alias this build does not know.</summary>
    public Type? TypeFor(string alias) => _byAlias.GetValueOrDefault(alias);

    [GeneratedRegex("^[a-z][a-z0-9_]*$")]
    private static partial Regex AliasPattern();
}
