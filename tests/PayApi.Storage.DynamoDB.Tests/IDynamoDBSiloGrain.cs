namespace PayApi.Storage.DynamoDB.Tests;

/// <summary>Test grain whose state (in two providers) and reminder live in DynamoDB.</summary>
public interface IDynamoDBSiloGrain : IGrainWithStringKey
{
    Task Save(int counterValue, string secretText);

    Task SaveBlob(int size);

    Task<(int Counter, string Secret)> Load();

    Task RegisterReminder(string name);

    Task<List<string>> ReminderNames();
}
