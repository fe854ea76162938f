using Orleans.Runtime;

namespace PayApi.Storage.DynamoDB.Tests;

/// <summary>State in the default provider and in a named one, plus a reminder.</summary>
public sealed class DynamoDBSiloGrain(
    [PersistentState("counter")] IPersistentState<DynamoDBSiloCounter> counter,
    [PersistentState("secret", DynamoDBSiloGrain.NamedStorage)] IPersistentState<DynamoDBSiloSecret> secret)
    : Grain, IDynamoDBSiloGrain, IRemindable
{
    public const string NamedStorage = "secrets";

    public async Task Save(int counterValue, string secretText)
    {
        counter.State.Value = counterValue;
        await counter.WriteStateAsync();
        secret.State.Text = secretText;
        await secret.WriteStateAsync();
    }

    public async Task SaveBlob(int size)
    {
        secret.State.Text = new string('x', size);
        try
        {
            await secret.WriteStateAsync();
        }
        catch
        {
            // Keep the grain's memory in step with what is stored, as a real grain should.
            await secret.ReadStateAsync();
            throw;
        }
    }

    public Task<(int Counter, string Secret)> Load() => Task.FromResult((counter.State.Value, secret.State.Text));

    // Orleans' minimum reminder period is one minute; the test only needs it registered, not fired.
    public Task RegisterReminder(string name) => this.RegisterOrUpdateReminder(name, TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(5));

    public async Task<List<string>> ReminderNames() => (await this.GetReminders()).Select(r => r.ReminderName).ToList();

    public Task ReceiveReminder(string reminderName, TickStatus status) => Task.CompletedTask;
}

[GenerateSerializer]
public sealed class DynamoDBSiloCounter
{
    [Id(0)]
    public int Value { get; set; }
}

[GenerateSerializer]
public sealed class DynamoDBSiloSecret
{
    [Id(0)]
    public string Text { get; set; } = string.Empty;
}
