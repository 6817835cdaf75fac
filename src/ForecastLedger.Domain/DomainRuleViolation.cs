namespace ForecastLedger.Domain;

/// <summary>
/// A command that conflicts with the current state or breaks a business rule. <see cref="Code"/> is stable:
/// the API puts it in the problem-details <c>code</c> extension, and clients may switch on it.
/// </summary>
public sealed class DomainRuleViolation : Exception
{
    public DomainRuleViolation(string code, string message, RuleKind kind = RuleKind.Conflict) : base(message)
    {
        Code = code;
        Kind = kind;
    }

    public DomainRuleViolation() : this("domain-rule", "A domain rule was violated.") { }

    public DomainRuleViolation(string message) : this("domain-rule", message) { }

    public DomainRuleViolation(string message, Exception innerException) : base(message, innerException) => Code = "domain-rule";

    public string Code { get; }

    public RuleKind Kind { get; }
}

/// <summary>How a violated rule maps to HTTP: a state conflict (409), an invalid value (422) or a missing thing (404).</summary>
public enum RuleKind
{
    Conflict,
    Invalid,
    NotFound,
}
