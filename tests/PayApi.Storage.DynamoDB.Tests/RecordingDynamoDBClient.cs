using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.ExceptionServices;
using Amazon.DynamoDBv2;

namespace PayApi.Storage.DynamoDB.Tests;

/// <summary>
/// A real SDK client behind a proxy that notes the name of every method called on it, so a test can say which
/// DynamoDB operations a read cost (Query or Scan, and how many). It can also play a lost answer: the request
/// reaches DynamoDB and is applied, its answer never arrives, and the request is sent again, as the SDK's retry
/// does after a timeout.
/// </summary>
public class RecordingDynamoDBClient : DispatchProxy
{
    private static readonly MethodInfo SendTwiceMethod = typeof(RecordingDynamoDBClient).GetMethod(nameof(SendTwiceAsync), BindingFlags.NonPublic | BindingFlags.Static)!;

    private readonly ConcurrentDictionary<string, int> lostAnswers = new();
    private IAmazonDynamoDB? inner;

    public ConcurrentQueue<string> Calls { get; } = new();

    public static (IAmazonDynamoDB Client, RecordingDynamoDBClient Recorder) Wrap(IAmazonDynamoDB inner)
    {
        var client = Create<IAmazonDynamoDB, RecordingDynamoDBClient>();
        var recorder = (RecordingDynamoDBClient)(object)client;
        recorder.inner = inner;
        return (client, recorder);
    }

    /// <summary>How many requests of <paramref name="method"/> (e.g. "QueryAsync") were sent since the last <see cref="Reset"/>.</summary>
    public int Count(string method) => Calls.Count(c => c == method);

    public void Reset() => Calls.Clear();

    /// <summary>The next call of <paramref name="method"/> (e.g. "PutItemAsync") is sent twice; the caller sees the second answer.</summary>
    public void LoseNextAnswerOf(string method) => lostAnswers.AddOrUpdate(method, 1, (_, n) => n + 1);

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        if (lostAnswers.TryGetValue(targetMethod.Name, out var pending) && pending > 0
            && lostAnswers.TryUpdate(targetMethod.Name, pending - 1, pending))
        {
            var result = targetMethod.ReturnType.GetGenericArguments()[0];
            return SendTwiceMethod.MakeGenericMethod(result).Invoke(null, [new Func<object?>(() => Call(targetMethod, args))]);
        }

        return Call(targetMethod, args);
    }

    private static async Task<T> SendTwiceAsync<T>(Func<object?> call)
    {
        await (Task<T>)call()!;
        return await (Task<T>)call()!;
    }

    private object? Call(MethodInfo method, object?[]? args)
    {
        Calls.Enqueue(method.Name);
        try
        {
            return method.Invoke(inner, args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            ExceptionDispatchInfo.Throw(e.InnerException);
            throw;
        }
    }
}
