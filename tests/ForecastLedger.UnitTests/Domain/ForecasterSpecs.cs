using ForecastLedger.Domain;
using ForecastLedger.Domain.Forecasters;
using ForecastLedger.UnitTests.Support;
using static ForecastLedger.UnitTests.Domain.Fixtures;

namespace ForecastLedger.UnitTests.Domain;

public sealed class RegisterForecasterSpecs
{
    private static readonly RegisterForecaster Register = new(ForecasterId, "ada_l-1815", "Ada Lovelace", false, PublishedAt);
    private static readonly ForecasterRegistered Registered = new(ForecasterId, "ada_l-1815", "Ada Lovelace", false, PublishedAt);

    internal static DeciderSpec<Forecaster> Spec => DeciderSpec.For(Forecaster.Initial, Forecaster.Evolve);

    private static DeciderOutcome RegisterWith(RegisterForecaster command, params object[] given)
        => Spec.Given(given).When(s => RegisterForecasterDecider.Decide(command, s));

    [Fact]
    public void Given_no_forecaster_When_registering_Then_forecaster_registered()
        => RegisterWith(Register).Then(Registered);

    [Fact]
    public void Given_no_forecaster_When_registering_a_bot_with_padded_name_Then_bot_registered_with_trimmed_name()
        => RegisterWith(Register with { IsBot = true, DisplayName = "  Ada Lovelace " }).Then(Registered with { IsBot = true });

    [Theory]
    [InlineData("abc")]
    [InlineData("a-b")]
    [InlineData("___")]
    [InlineData("abcdefghijklmnopqrstuvwxyz012345")]
    public void Given_no_forecaster_When_registering_a_valid_handle_Then_forecaster_registered(string handle)
        => RegisterWith(Register with { Handle = handle }).Then(Registered with { Handle = handle });

    [Theory]
    [InlineData("")]
    [InlineData("ab")]
    [InlineData("abcdefghijklmnopqrstuvwxyz0123456")]
    [InlineData("Ada")]
    [InlineData("ada lovelace")]
    [InlineData("ada.l")]
    [InlineData("adé")]
    public void Given_no_forecaster_When_registering_an_invalid_handle_Then_rejected_as_handle_invalid(string handle)
        => RegisterWith(Register with { Handle = handle }).ThenRejected("handle-invalid", RuleKind.Invalid);

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Given_no_forecaster_When_registering_without_display_name_Then_rejected(string name)
        => RegisterWith(Register with { DisplayName = name }).ThenRejected("display-name-invalid", RuleKind.Invalid);

    [Fact]
    public void Given_no_forecaster_When_registering_with_too_long_display_name_Then_rejected()
        => RegisterWith(Register with { DisplayName = new string('x', RegisterForecasterDecider.MaxDisplayNameLength + 1) })
            .ThenRejected("display-name-invalid", RuleKind.Invalid);

    [Fact]
    public void Given_registered_forecaster_When_registering_again_Then_rejected_as_already_registered()
        => RegisterWith(Register, Registered).ThenRejected("forecaster-already-registered", RuleKind.Conflict);
}

public sealed class SetBotFlagSpecs
{
    private static readonly ForecasterRegistered Registered = new(ForecasterId, "ada", "Ada", false, PublishedAt);
    private static readonly SetBotFlag MarkBot = new(ForecasterId, true, Admin, WhileOpen);
    private static readonly ForecasterBotFlagChanged MarkedBot = new(ForecasterId, true, Admin, WhileOpen);

    private static DeciderOutcome SetWith(SetBotFlag command, params object[] given)
        => RegisterForecasterSpecs.Spec.Given(given).When(s => SetBotFlagDecider.Decide(command, s));

    [Fact]
    public void Given_human_forecaster_When_marking_as_bot_Then_bot_flag_changed()
        => SetWith(MarkBot, Registered).Then(MarkedBot);

    [Fact]
    public void Given_bot_When_marking_as_human_Then_bot_flag_changed()
        => SetWith(MarkBot with { IsBot = false }, Registered, MarkedBot).Then(MarkedBot with { IsBot = false });

    [Fact]
    public void Given_bot_When_marking_as_bot_again_Then_nothing_happens()
        => SetWith(MarkBot, Registered, MarkedBot).ThenNothing();

    [Fact]
    public void Given_no_forecaster_When_setting_bot_flag_Then_rejected_as_not_found()
        => SetWith(MarkBot).ThenRejected("forecaster-not-found", RuleKind.NotFound);

    [Fact]
    public void Given_forecaster_When_setting_bot_flag_without_actor_Then_rejected()
        => SetWith(MarkBot with { ChangedBy = "" }, Registered).ThenRejected("actor-required", RuleKind.Invalid);
}
