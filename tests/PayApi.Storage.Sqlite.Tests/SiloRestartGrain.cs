using Orleans.Runtime;

namespace PayApi.Storage.Sqlite.Tests;

/// <summary>State in the default provider and in a named one, plus a reminder.</summary>
public sealed class SiloRestartGrain(
    [PersistentState("counter")] IPersistentState<CounterState> counter,
    [PersistentState("secret", SiloRestartGrain.NamedStorage)] IPersistentState<SecretState> secret)
    : Grain, ISiloRestartGrain, IRemindable
{
    public const string NamedStorage = "secrets";

    public async Task Save(int counterValue, string secretText)
    {
        counter.State.Value = counterValue;
        await counter.WriteStateAsync();
        secret.State.Text = secretText;
        await secret.WriteStateAsync();
    }

    public Task<(int Counter, string Secret)> Load() => Task.FromResult((counter.State.Value, secret.State.Text));

    // Orleans' minimum reminder period is one minute; the test only needs it registered, not fired.
    public Task RegisterReminder(string name) => this.RegisterOrUpdateReminder(name, TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(5));

    public async Task<List<string>> ReminderNames() => (await this.GetReminders()).Select(r => r.ReminderName).ToList();

    public Task ReceiveReminder(string reminderName, TickStatus status) => Task.CompletedTask;
}
