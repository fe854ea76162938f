namespace PayApi.Storage.DynamoDB;

/// <summary>
/// Ensures one table exists the first time a store needs it. The stores are plain singletons with no start-up hook
/// of their own. Callers that arrive together share one attempt (and its failure: during an outage they all get
/// their 503 at once, not one after another); a failed attempt is forgotten, so a later call tries again.
/// </summary>
internal sealed class DynamoDBTableOnFirstUse(DynamoDBTables tables, DynamoDBTables.TableSpec spec, Action onReady)
{
    private readonly Lock _gate = new();
    private volatile bool _ready;
    private Task? _ensuring;

    public Task EnsureAsync(CancellationToken ct)
    {
        if (_ready)
        {
            return Task.CompletedTask;
        }

        lock (_gate)
        {
            _ensuring ??= CreateAsync();
            return _ensuring.WaitAsync(ct);
        }
    }

    private async Task CreateAsync()
    {
        // Off the caller's stack first: nothing below may run inside the lock that started it.
        await Task.Yield();
        try
        {
            await tables.EnsureAsync(spec, CancellationToken.None);
            onReady();
            _ready = true;
        }
        catch
        {
            lock (_gate)
            {
                _ensuring = null;
            }

            throw;
        }
    }
}
