namespace PayApi.Storage.Sqlite.Tests;

/// <summary>Test grain whose state and reminder must survive a silo restart.</summary>
public interface ISiloRestartGrain : IGrainWithStringKey
{
    Task Save(int counterValue, string secretText);

    Task<(int Counter, string Secret)> Load();

    Task RegisterReminder(string name);

    Task<List<string>> ReminderNames();
}
